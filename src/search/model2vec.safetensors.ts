/**
 * A minimal reader/writer for the safetensors format, enough for static embedding models.
 *
 * Layout: 8-byte little-endian header length N, N bytes of JSON header
 * (`{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}`), then the raw
 * little-endian tensor bytes; offsets are relative to the end of the header.
 * Parsed by hand so the project needs no extra dependency for it.
 */

export type TensorDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8";

export interface RawTensor {
  dtype: TensorDtype;
  shape: number[];
  /** A view into the file's bytes (not copied). */
  bytes: Uint8Array;
}

export interface ParsedSafetensors {
  tensors: Map<string, RawTensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<TensorDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1,
};

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function parseSafetensors(file: Uint8Array): ParsedSafetensors {
  if (file.byteLength < 8) throw new Error("safetensors: file too short");
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (8 + headerLen > file.byteLength) throw new Error("safetensors: header length beyond end of file");
  const headerText = new TextDecoder().decode(file.subarray(8, 8 + headerLen));
  const header = JSON.parse(headerText) as Record<string, HeaderEntry | Record<string, string>>;
  const dataStart = 8 + headerLen;
  const tensors = new Map<string, RawTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as HeaderEntry;
    if (!(e.dtype in BYTES_PER_ELEMENT)) throw new Error(`safetensors: unsupported dtype ${e.dtype} for ${name}`);
    const dtype = e.dtype as TensorDtype;
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * BYTES_PER_ELEMENT[dtype] || dataStart + end > file.byteLength) {
      throw new Error(`safetensors: bad offsets for tensor ${name}`);
    }
    tensors.set(name, { dtype, shape: e.shape, bytes: file.subarray(dataStart + begin, dataStart + end) });
  }
  return { tensors, metadata };
}

/** IEEE half -> float, bit by bit (Float16Array is not in Node 20). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** float -> IEEE half with round-to-nearest-even (for saving compact models). */
export function floatToHalf(x: number): number {
  f32Scratch[0] = x;
  const bits = u32Scratch[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >> 10;
  return sign | half;
}

function dataView(t: RawTensor): DataView {
  return new DataView(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength);
}

/** Decode any numeric tensor into float32 (the working precision of the embedder). */
export function tensorToFloat32(t: RawTensor): Float32Array {
  const n = t.bytes.byteLength / BYTES_PER_ELEMENT[t.dtype];
  const out = new Float32Array(n);
  const v = dataView(t);
  switch (t.dtype) {
    case "F32": for (let i = 0; i < n; i++) out[i] = v.getFloat32(i * 4, true); break;
    case "F64": for (let i = 0; i < n; i++) out[i] = v.getFloat64(i * 8, true); break;
    case "F16": for (let i = 0; i < n; i++) out[i] = halfToFloat(v.getUint16(i * 2, true)); break;
    // bfloat16 is the top half of a float32.
    case "BF16": for (let i = 0; i < n; i++) { u32Scratch[0] = v.getUint16(i * 2, true) << 16; out[i] = f32Scratch[0]; } break;
    case "I8": for (let i = 0; i < n; i++) out[i] = v.getInt8(i); break;
    case "U8": for (let i = 0; i < n; i++) out[i] = v.getUint8(i); break;
    case "I16": for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, true); break;
    case "I32": for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 4, true); break;
    case "I64": for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(i * 8, true)); break;
  }
  return out;
}

/** Decode an integer tensor (token -> row mappings) into int32. */
export function tensorToInt32(t: RawTensor): Int32Array {
  const n = t.bytes.byteLength / BYTES_PER_ELEMENT[t.dtype];
  const out = new Int32Array(n);
  const v = dataView(t);
  switch (t.dtype) {
    case "I32": for (let i = 0; i < n; i++) out[i] = v.getInt32(i * 4, true); break;
    case "I64": for (let i = 0; i < n; i++) out[i] = Number(v.getBigInt64(i * 8, true)); break;
    case "I16": for (let i = 0; i < n; i++) out[i] = v.getInt16(i * 2, true); break;
    case "I8": for (let i = 0; i < n; i++) out[i] = v.getInt8(i); break;
    case "U8": for (let i = 0; i < n; i++) out[i] = v.getUint8(i); break;
    default: throw new Error(`safetensors: expected an integer tensor, got ${t.dtype}`);
  }
  return out;
}

export interface TensorToWrite {
  dtype: "F32" | "F16" | "I32";
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Serialise tensors; F16 tensors are converted from the given float32 data. */
export function encodeSafetensors(tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    const size = t.data.length * (t.dtype === "F16" ? 2 : 4);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let headerText = JSON.stringify(header);
  // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
  while ((8 + Buffer.byteLength(headerText)) % 8 !== 0) headerText += " ";
  const headerBytes = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name];
    if (t.dtype === "F16") {
      for (let i = 0; i < t.data.length; i++, pos += 2) view.setUint16(pos, floatToHalf(t.data[i]), true);
    } else if (t.dtype === "F32") {
      for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
    } else {
      for (let i = 0; i < t.data.length; i++, pos += 4) view.setInt32(pos, t.data[i], true);
    }
  }
  return out;
}
