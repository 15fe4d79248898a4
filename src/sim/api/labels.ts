/**
 * Label selectors as k8s.io/apimachinery/pkg/labels and metav1 implement them: the string syntax
 * (`a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`) with upstream's parser and error messages,
 * LabelSelector objects (matchLabels + matchExpressions), their kubectl-style string form, and
 * NodeSelectorTerms (matchExpressions with Gt/Lt, matchFields on metadata.name) as the scheduler's
 * node affinity uses them.
 */
import type { LabelSelector, NodeSelectorRequirement, NodeSelectorTerm } from './types';

export type Labels = Readonly<Record<string, string>>;

/** selection.Operator values, spelled as upstream. */
export type Operator = 'in' | 'notin' | '=' | '==' | '!=' | 'gt' | 'lt' | 'exists' | '!';

const BINARY_OPERATORS: Operator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS: Operator[] = [...BINARY_OPERATORS, 'exists', '!'];

// ---------------------------------------------------------------- validation of keys and values

// One implementation for the editor and the API server: the manifest layer's name rules.
export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../../manifest/names';
import { isQualifiedName, isValidLabelValue } from '../../manifest/names';

/** A selector or requirement that upstream would refuse; the message reads like upstream's. */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** Go's %q for strings, enough for the characters labels contain. */
const quote = (s: string) => JSON.stringify(s);
const goStrings = (values: readonly string[]) => `[]string{${values.map(quote).join(', ')}}`;

/** field.ErrorList.ToAggregate().Error(): one message alone, several in brackets. */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

const isInteger = (s: string) => /^[+-]?[0-9]+$/.test(s) && Number.isSafeInteger(Number(s));

// ---------------------------------------------------------------- requirements and selectors

export class Requirement {
  private constructor(
    readonly key: string,
    readonly operator: Operator,
    /** Sorted and de-duplicated, as upstream's sets. */
    readonly values: readonly string[],
    private readonly valueSet: ReadonlySet<string>,
  ) {}

  /**
   * labels.NewRequirement: validates the key, the operator's arity and the values. `path` prefixes
   * field paths as upstream's field.WithPath does ("" for none).
   */
  static create(key: string, operator: Operator, values: readonly string[], path = ''): Requirement {
    const errs: string[] = [];
    const child = (name: string) => (path ? `${path}.${name}` : name);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) errs.push(`${child('key')}: Invalid value: ${quote(key)}: ${keyErrs.join('; ')}`);
    const valuesPath = child('values');
    switch (operator) {
      case 'in':
      case 'notin':
        if (values.length === 0) errs.push(`${valuesPath}: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`);
        break;
      case '=':
      case '==':
      case '!=':
        if (values.length !== 1) errs.push(`${valuesPath}: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
        break;
      case 'exists':
      case '!':
        if (values.length !== 0) errs.push(`${valuesPath}: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
        break;
      case 'gt':
      case 'lt':
        if (values.length !== 1) errs.push(`${valuesPath}: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
        values.forEach((v, i) => {
          if (!isInteger(v)) errs.push(`${valuesPath}[${i}]: Invalid value: ${quote(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
        });
        break;
      default:
        errs.push(`${child('operator')}: Unsupported value: ${quote(operator)}: supported values: ${VALID_OPERATORS.map(quote).join(', ')}`);
    }
    values.forEach((v, i) => {
      const valueErrs = isValidLabelValue(v);
      if (valueErrs.length) errs.push(`${valuesPath}[${i}][${key}]: Invalid value: ${quote(v)}: ${valueErrs.join('; ')}`);
    });
    if (errs.length) throw new SelectorError(aggregate(errs));
    const sorted = [...new Set(values)].sort();
    return new Requirement(key, operator, sorted, new Set(sorted));
  }

  matches(labels: Labels): boolean {
    const has = Object.prototype.hasOwnProperty.call(labels, this.key);
    switch (this.operator) {
      case 'in':
      case '=':
      case '==':
        return has && this.valueSet.has(labels[this.key]);
      case 'notin':
      case '!=':
        return !has || !this.valueSet.has(labels[this.key]);
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'gt':
      case 'lt': {
        if (!has || !isInteger(labels[this.key]) || this.values.length !== 1) return false;
        const actual = Number(labels[this.key]);
        const bound = Number(this.values[0]);
        return this.operator === 'gt' ? actual > bound : actual < bound;
      }
    }
  }

  toString(): string {
    const k = this.key;
    const v = this.values.join(',');
    switch (this.operator) {
      case '!':
        return `!${k}`;
      case 'exists':
        return k;
      case 'in':
        return `${k} in (${v})`;
      case 'notin':
        return `${k} notin (${v})`;
      case 'gt':
        return `${k}>${v}`;
      case 'lt':
        return `${k}<${v}`;
      default:
        return `${k}${this.operator}${v}`;
    }
  }
}

export class Selector {
  /** Requirements sorted by key (stable), as upstream sorts them. */
  readonly requirements: readonly Requirement[];
  /** toString's text, once made. */
  private text: string | undefined;

  private constructor(requirements: readonly Requirement[], private readonly nothing = false) {
    this.requirements = [...requirements].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  static of(requirements: readonly Requirement[]): Selector {
    return new Selector(requirements);
  }

  /** Matches everything (the empty selector). */
  static readonly everything = new Selector([]);
  /** Matches nothing (a nil LabelSelector). */
  static readonly nothing = new Selector([], true);

  /** True when the selector does not restrict anything (never true for `nothing`). */
  empty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matches(labels: Labels | undefined): boolean {
    if (this.nothing) return false;
    const l = labels ?? {};
    for (const r of this.requirements) if (!r.matches(l)) return false;
    return true;
  }

  /** A new selector with more requirements (upstream's Add). */
  add(...more: Requirement[]): Selector {
    return this.nothing ? this : new Selector([...this.requirements, ...more]);
  }

  /** The canonical text ("app=web,tier in (a,b)"): made once, a selector never changes (caches key on it). */
  toString(): string {
    return (this.text ??= this.requirements.map(String).join(','));
  }
}

// ---------------------------------------------------------------- the string syntax

type Token = 'error' | 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';

const KEYWORDS: Record<string, Token> = {
  ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', in: 'in', '<': '<', '!=': '!=', notin: 'notin', '(': '(',
};

const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(input: string): { tok: Token; lit: string }[] {
  const out: { tok: Token; lit: string }[] = [];
  let pos = 0;
  for (;;) {
    while (pos < input.length && isWhitespace(input[pos])) pos++;
    if (pos >= input.length) {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    if (isSpecial(input[pos])) {
      // The longest run of special symbols that still forms a token.
      let buffer = '';
      let last: { tok: Token; lit: string } | undefined;
      while (pos < input.length && isSpecial(input[pos])) {
        const next = buffer + input[pos];
        if (KEYWORDS[next] !== undefined) {
          buffer = next;
          last = { tok: KEYWORDS[next], lit: next };
          pos++;
        } else if (last) {
          break;
        } else {
          buffer = next;
          pos++;
        }
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
    } else {
      const start = pos;
      while (pos < input.length && !isSpecial(input[pos]) && !isWhitespace(input[pos])) pos++;
      const word = input.slice(start, pos);
      out.push({ tok: KEYWORDS[word] ?? 'id', lit: word });
    }
  }
}

class Parser {
  private position = 0;
  constructor(private readonly items: { tok: Token; lit: string }[]) {}

  /** In a value context the keywords "in" and "notin" are plain identifiers. */
  private peek(values: boolean): [Token, string] {
    const { tok, lit } = this.items[this.position];
    return [values && (tok === 'in' || tok === 'notin') ? 'id' : tok, lit];
  }

  private next(values: boolean): [Token, string] {
    const item = this.peek(values);
    this.position++;
    return item;
  }

  parse(): Requirement[] {
    const requirements: Requirement[] = [];
    for (;;) {
      const [tok, lit] = this.peek(true);
      if (tok === 'eos') return requirements;
      if (tok !== 'id' && tok !== '!') throw new SelectorError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        requirements.push(this.requirement());
      } catch (e) {
        if (e instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const [t, l] = this.next(true);
      if (t === 'eos') return requirements;
      if (t !== ',') throw new SelectorError(`found '${l}', expected: ',' or 'end of string'`);
      const [t2, l2] = this.peek(true);
      if (t2 !== 'id' && t2 !== '!') throw new SelectorError(`found '${l2}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let operator: Operator | undefined;
    let [tok, key] = this.next(true);
    if (tok === '!') {
      operator = '!';
      [tok, key] = this.next(true);
    }
    if (tok !== 'id') throw new SelectorError(`found '${key}', expected: identifier`);
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new SelectorError(`<nil>: Invalid value: ${quote(key)}: ${keyErrs.join('; ')}`);
    const [after] = this.peek(true);
    // "!key" is complete by itself; whatever follows it is the caller's to judge.
    if (operator === '!' || after === 'eos' || after === ',') return Requirement.create(key, operator ?? 'exists', []);
    const [opTok, opLit] = this.next(false);
    const op = ({ in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' } as Partial<Record<Token, Operator>>)[opTok];
    if (!op) throw new SelectorError(`found '${opLit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    const values = op === 'in' || op === 'notin' ? this.valueSet() : this.exactValue();
    return Requirement.create(key, op, values);
  }

  private valueSet(): string[] {
    const [tok, lit] = this.next(true);
    if (tok !== '(') throw new SelectorError(`found '${lit}' expected: '('`);
    const [first, firstLit] = this.peek(true);
    if (first === ')') {
      this.next(true);
      return [''];
    }
    if (first !== 'id' && first !== ',') throw new SelectorError(`found '${firstLit}', expected: ',', ')' or identifier`);
    const values = new Set<string>();
    for (;;) {
      const [t, l] = this.next(true);
      if (t === 'id') {
        values.add(l);
        const [t2, l2] = this.peek(true);
        if (t2 === ',') continue;
        if (t2 === ')') break;
        throw new SelectorError(`found '${l2}', expected: ',' or ')'`);
      } else if (t === ',') {
        if (values.size === 0) values.add('');
        const [t2] = this.peek(true);
        if (t2 === ')') {
          values.add('');
          break;
        }
        if (t2 === ',') {
          this.next(true);
          values.add('');
        }
      } else {
        throw new SelectorError(`found '${l}', expected: ',', or identifier`);
      }
    }
    const [close] = this.next(true);
    if (close !== ')') throw new SelectorError(`found '${firstLit}', expected: ')'`);
    return [...values];
  }

  private exactValue(): string[] {
    const [t] = this.peek(true);
    if (t === 'eos' || t === ',') return [''];
    const [tok, lit] = this.next(true);
    if (tok === 'id') return [lit];
    throw new SelectorError(`found '${lit}', expected: identifier`);
  }
}

/** labels.Parse: throws SelectorError with upstream's message on bad input. "" selects everything. */
export function parseSelector(input: string): Selector {
  return Selector.of(new Parser(lex(input)).parse());
}

/** parseSelector without exceptions. */
export function tryParseSelector(input: string): { selector: Selector } | { error: string } {
  try {
    return { selector: parseSelector(input) };
  } catch (e) {
    if (e instanceof SelectorError) return { error: e.message };
    throw e;
  }
}

/** labels.SelectorFromSet: every key equal to its value; an empty set selects everything. */
export function selectorFromSet(set: Labels | undefined): Selector {
  if (!set) return Selector.everything;
  return Selector.of(Object.keys(set).map((k) => Requirement.create(k, '=', [set[k]])));
}

const LABEL_SELECTOR_OPERATORS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: undefined → matches nothing; {} → matches everything.
 * Throws SelectorError for invalid operators, keys or values.
 */
export function labelSelectorAsSelector(ls: LabelSelector | undefined | null): Selector {
  if (!ls) return Selector.nothing;
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return Selector.everything;
  const requirements = Object.keys(matchLabels).map((k) => Requirement.create(k, '=', [matchLabels[k]]));
  for (const expr of expressions) {
    const op = LABEL_SELECTOR_OPERATORS[expr.operator];
    if (!op) throw new SelectorError(`${quote(String(expr.operator))} is not a valid label selector operator`);
    requirements.push(Requirement.create(expr.key, op, expr.values ?? []));
  }
  return Selector.of(requirements);
}

/** Does `labels` satisfy the LabelSelector object? An invalid selector matches nothing. */
export function matchesLabelSelector(ls: LabelSelector | undefined | null, labels: Labels | undefined): boolean {
  try {
    return labelSelectorAsSelector(ls).matches(labels);
  } catch (e) {
    if (e instanceof SelectorError) return false;
    throw e;
  }
}

/** metav1.FormatLabelSelector, what kubectl prints: "app=web,tier in (db,cache)", "<none>", "<error>". */
export function formatLabelSelector(ls: LabelSelector | undefined | null): string {
  try {
    const s = labelSelectorAsSelector(ls).toString();
    return s.length === 0 ? '<none>' : s;
  } catch (e) {
    if (e instanceof SelectorError) return '<error>';
    throw e;
  }
}

// ---------------------------------------------------------------- node selectors (node affinity)

const NODE_SELECTOR_OPERATORS: Record<string, Operator> = { ...LABEL_SELECTOR_OPERATORS, Gt: 'gt', Lt: 'lt' };

/** What a node selector looks at: its labels and its fields (only metadata.name is supported). */
export interface NodeFacts {
  name: string;
  labels?: Labels;
}

/** nodeaffinity's nodeSelectorRequirementsAsSelector; throws SelectorError on invalid input. */
export function nodeSelectorRequirementsAsSelector(requirements: readonly NodeSelectorRequirement[], path = 'matchExpressions'): Selector {
  return Selector.of(
    requirements.map((expr, i) => {
      const op = NODE_SELECTOR_OPERATORS[expr.operator];
      if (!op) {
        throw new SelectorError(`${path}[${i}].operator: Unsupported value: ${quote(String(expr.operator))}: supported values: "DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"`);
      }
      return Requirement.create(expr.key, op, expr.values ?? [], `${path}[${i}]`);
    }),
  );
}

/** A compiled NodeSelectorTerm; `undefined` parts do not constrain. */
export interface CompiledNodeSelectorTerm {
  labels?: Selector;
  /** metadata.name must (In) or must not (NotIn) equal these values. */
  fields?: { operator: 'In' | 'NotIn'; value: string }[];
}

/** Compile one term as nodeaffinity.newNodeSelectorTerm does; throws SelectorError on invalid input. */
export function compileNodeSelectorTerm(term: NodeSelectorTerm): CompiledNodeSelectorTerm {
  const compiled: CompiledNodeSelectorTerm = {};
  if (term.matchExpressions?.length) compiled.labels = nodeSelectorRequirementsAsSelector(term.matchExpressions);
  if (term.matchFields?.length) {
    compiled.fields = term.matchFields.map((expr, i) => {
      const path = `matchFields[${i}]`;
      if (expr.key !== 'metadata.name') throw new SelectorError(`${path}.key: Invalid value: ${quote(expr.key)}: field label not supported`);
      if (expr.operator !== 'In' && expr.operator !== 'NotIn') {
        throw new SelectorError(`${path}.operator: Unsupported value: ${quote(expr.operator)}: supported values: "In", "NotIn"`);
      }
      const values = expr.values ?? [];
      if (values.length !== 1) throw new SelectorError(`${path}.values: Invalid value: ${goStrings(values)}: must have one element`);
      return { operator: expr.operator, value: values[0] };
    });
  }
  return compiled;
}

export function compiledTermMatches(term: CompiledNodeSelectorTerm, node: NodeFacts): boolean {
  if (term.labels && !term.labels.matches(node.labels)) return false;
  if (term.fields) {
    for (const f of term.fields) if ((node.name === f.value) !== (f.operator === 'In')) return false;
  }
  return true;
}

/**
 * A compiled list of NodeSelectorTerms (ORed), as nodeaffinity.NewLazyErrorNodeSelector: empty
 * terms are skipped (they match nothing), invalid terms never match, the others are tried in turn.
 */
export class NodeSelectorMatcher {
  private readonly terms: CompiledNodeSelectorTerm[] = [];
  /** Problems found in invalid terms (those terms never match). */
  readonly errors: string[] = [];

  constructor(terms: readonly NodeSelectorTerm[]) {
    for (const term of terms) {
      if (!term.matchExpressions?.length && !term.matchFields?.length) continue;
      try {
        this.terms.push(compileNodeSelectorTerm(term));
      } catch (e) {
        if (!(e instanceof SelectorError)) throw e;
        this.errors.push(e.message);
      }
    }
  }

  matches(node: NodeFacts): boolean {
    for (const term of this.terms) if (compiledTermMatches(term, node)) return true;
    return false;
  }
}

/** Does the node satisfy at least one term? (one-off; compile a NodeSelectorMatcher to reuse). */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTerm[], node: NodeFacts): boolean {
  return new NodeSelectorMatcher(terms).matches(node);
}

/** Does the node satisfy this single term (preferred node affinity)? Invalid → false. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: NodeFacts): boolean {
  if (!term.matchExpressions?.length && !term.matchFields?.length) return false;
  try {
    return compiledTermMatches(compileNodeSelectorTerm(term), node);
  } catch (e) {
    if (e instanceof SelectorError) return false;
    throw e;
  }
}
