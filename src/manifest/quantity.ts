/**
 * Kubernetes resource quantities ("500m", "1.5Gi", "1e3", 2), parsed as upstream's
 * k8s.io/apimachinery/pkg/api/resource.Quantity does: the same accepted syntax, the same error
 * messages, the same rounding (values are kept exactly, rounded up to the nano unit), and the same
 * canonical form when printed.
 *
 * Dependency-free on purpose: both the manifest validator and the simulated cluster use it.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** The regular expression upstream quotes in its format error (the parser itself is hand-written). */
export const QUANTITY_PATTERN = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${QUANTITY_PATTERN}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export interface ParsedQuantity {
  /** The amount as a float (exact for every value a lab uses). */
  readonly value: number;
  /** The exact amount in units of 10^-9, rounded up (away from zero) as upstream does. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
  /** ceil(value × 1000): what upstream's MilliValue() returns (CPU in millicores). */
  readonly milliValue: number;
  /** ceil(value): what upstream's Value() returns (memory in bytes, pod counts). */
  readonly intValue: number;
}

export interface QuantityError {
  readonly error: string;
}

export type QuantityResult = ParsedQuantity | QuantityError;

export function isQuantityError(result: QuantityResult): result is QuantityError {
  return (result as QuantityError).error !== undefined;
}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_CHARS = 'eEinumkKMGTP';
const NANO = 1_000_000_000n;

interface Split {
  negative: boolean;
  whole: string;
  fraction: string;
  suffix: string;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Upstream's parseQuantityString: sign, digits, optional "." and digits, then the suffix. */
function split(str: string): Split | undefined {
  let pos = 0;
  const end = str.length;
  let negative = false;
  if (str[0] === '-' || str[0] === '+') {
    negative = str[0] === '-';
    pos++;
  }
  const wholeStart = pos;
  while (pos < end && isDigit(str[pos])) pos++;
  const whole = str.slice(wholeStart, pos);
  let fraction = '';
  if (pos < end && str[pos] === '.') {
    const fractionStart = ++pos;
    while (pos < end && isDigit(str[pos])) pos++;
    fraction = str.slice(fractionStart, pos);
  }
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos])) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (pos < end && isDigit(str[pos])) pos++;
  if (pos < end) return undefined;
  return { negative, whole, fraction, suffix: str.slice(suffixStart) };
}

/** Upstream's suffixer: decimal SI, binary SI, or a decimal exponent such as e3 / E-2. */
function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  if (suffix in DECIMAL_SUFFIXES) return { base: 10, exponent: DECIMAL_SUFFIXES[suffix], format: 'DecimalSI' };
  if (suffix in BINARY_SUFFIXES) return { base: 2, exponent: BINARY_SUFFIXES[suffix], format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E') && /^[+-]?[0-9]+$/.test(suffix.slice(1))) {
    const exponent = Number(suffix.slice(1));
    if (Math.abs(exponent) > 1000) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/** ceil(a / b) for non-negative a and positive b. */
function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

function fromNanos(negative: boolean, nanos: bigint, format: QuantityFormat): ParsedQuantity {
  const signed = negative ? -nanos : nanos;
  const sign = negative ? -1 : 1;
  return {
    value: Number(signed) / 1e9,
    nanos: signed,
    format,
    milliValue: sign * Number(ceilDiv(nanos, 1_000_000n)),
    intValue: sign * Number(ceilDiv(nanos, NANO)),
  };
}

const cache = new Map<string, QuantityResult>();

/** Parse a quantity (a string as in YAML, or a number as JSON may carry it). */
export function parseQuantity(input: string | number): QuantityResult {
  const str = typeof input === 'number' ? numberToString(input) : input;
  if (str === undefined) return { error: ERR_FORMAT_WRONG };
  let result = cache.get(str);
  if (result === undefined) {
    result = parseUncached(str);
    if (cache.size > 10_000) cache.clear();
    cache.set(str, result);
  }
  return result;
}

function numberToString(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  return String(n);
}

function parseUncached(str: string): QuantityResult {
  if (str.length === 0) return { error: ERR_FORMAT_WRONG };
  const parts = split(str);
  if (!parts) return { error: ERR_FORMAT_WRONG };
  const suffix = interpretSuffix(parts.suffix);
  if (!suffix) return { error: ERR_SUFFIX };
  let { format } = suffix;
  // The exact amount: digits × 10^(-fractionLength), scaled by the suffix.
  const digits = BigInt((parts.whole + parts.fraction) || '0');
  let scale = -parts.fraction.length; // power of ten
  let mantissa = digits;
  if (suffix.base === 10) scale += suffix.exponent;
  else mantissa *= 1n << BigInt(suffix.exponent);
  // To nanos, rounding any finer remainder up (upstream rounds non-zero values up to 1n).
  const shift = scale + 9;
  const nanos = shift >= 0 ? mantissa * 10n ** BigInt(shift) : ceilDiv(mantissa, 10n ** BigInt(-shift));
  if (format === 'BinarySI' && nanos > 0n && nanos < NANO) format = 'DecimalSI';
  return fromNanos(parts.negative && nanos !== 0n, nanos, format);
}

/** Throws with upstream's message when `q` is not a valid quantity. */
export function mustParseQuantity(q: string | number): ParsedQuantity {
  const result = parseQuantity(q);
  if (isQuantityError(result)) throw new Error(`quantity ${JSON.stringify(q)}: ${result.error}`);
  return result;
}

/** CPU in millicores, as upstream's MilliValue (rounded up): "250m" → 250, "1.5" → 1500, 2 → 2000. */
export function cpuMillis(q: string | number): number {
  return mustParseQuantity(q).milliValue;
}

/** Memory (or any byte or count quantity) as upstream's Value (rounded up): "1Gi" → 1073741824. */
export function quantityValue(q: string | number): number {
  return mustParseQuantity(q).intValue;
}

/** Alias of quantityValue for readability at call sites that deal with memory. */
export const memoryBytes = quantityValue;

// ---------------------------------------------------------------- printing

const DECIMAL_SUFFIX_BY_EXPONENT: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/**
 * The canonical form upstream prints (what the API server stores and `kubectl get -o yaml` shows):
 * "1.5" → "1500m", "1536Mi" stays, "1.5Gi" → "1536Mi", "1e3" → "1e3", "0.5Gi" → "512Mi".
 */
export function canonicalQuantity(q: string | number | ParsedQuantity): string {
  const parsed = typeof q === 'object' ? q : mustParseQuantity(q);
  const { nanos } = parsed;
  if (nanos === 0n) return '0';
  const negative = nanos < 0n;
  const abs = negative ? -nanos : nanos;
  const sign = negative ? '-' : '';
  let format = parsed.format;
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  if (format === 'BinarySI') {
    let mantissa = abs / NANO;
    let power = 0;
    while (power < 6 && mantissa % 1024n === 0n) {
      mantissa /= 1024n;
      power++;
    }
    return `${sign}${mantissa}${BINARY_SUFFIX_BY_POWER[power]}`;
  }
  // Decimal: the largest exponent (a multiple of 3, from -9) that keeps the mantissa whole.
  let mantissa = abs;
  let exponent = -9;
  while (mantissa % 1000n === 0n && (format === 'DecimalExponent' || exponent < 18)) {
    mantissa /= 1000n;
    exponent += 3;
  }
  if (format === 'DecimalExponent') return `${sign}${mantissa}${exponent === 0 ? '' : `e${exponent}`}`;
  return `${sign}${mantissa}${DECIMAL_SUFFIX_BY_EXPONENT[exponent]}`;
}

/** Millicores for display, in canonical form: 1500 → "1500m", 2000 → "2", 0 → "0". */
export function formatCpu(millis: number): string {
  if (millis === 0) return '0';
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}

/**
 * Bytes for display, in the largest binary unit that keeps at least 1, with at most two decimals:
 * 1610612736 → "1.5Gi", 134217728 → "128Mi", 512 → "512".
 */
export function formatBytes(bytes: number): string {
  const negative = bytes < 0;
  let value = Math.abs(bytes);
  let power = 0;
  while (power < 6 && value >= 1024) {
    value /= 1024;
    power++;
  }
  const rounded = Math.round(value * 100) / 100;
  return `${negative ? '-' : ''}${rounded}${BINARY_SUFFIX_BY_POWER[power]}`;
}
