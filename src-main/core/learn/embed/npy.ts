// NumPy .npy files (format version 1.0) for a 2-D float32 matrix: what `platelab embed` writes the
// raw well embeddings as, readable by np.load. Spec: numpy.lib.format (NEP 1).
import { inputError } from '../../errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * The bytes of a .npy v1.0 file holding `values` as a C-order little-endian float32 ('<f4')
 * array of `shape` [rows, cols]: magic, version 1.0, a little-endian uint16 header length, the
 * header dict padded with spaces and ended by '\n' so the data starts at a multiple of 64 bytes.
 */
export function npyFloat32(values: Float32Array, shape: [number, number]): Uint8Array {
  const [rows, cols] = shape;
  if (values.length !== rows * cols)
    throw new Error(`npy: ${values.length} values do not fill shape (${rows}, ${cols})`);
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  const prefix = MAGIC.length + 2 + 2;
  const total = Math.ceil((prefix + dict.length + 1) / 64) * 64;
  const header = dict.padEnd(total - prefix - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new Error('npy: header too long for format 1.0');
  const out = new Uint8Array(total + values.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  for (let i = 0; i < values.length; i++) view.setFloat32(total + 4 * i, values[i]!, true);
  return out;
}

/**
 * Reads a .npy v1.0 '<f4' C-order 2-D array (what npyFloat32 writes). Errors: INVALID_INPUT naming
 * `file` for anything else.
 */
export function readNpyFloat32(
  bytes: Uint8Array,
  file: string,
): { values: Float32Array; shape: [number, number] } {
  const bad = (why: string) => inputError(`${file}: not a float32 .npy matrix (${why})`);
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('no \\x93NUMPY magic');
  if (bytes[6] !== 1) throw bad(`format version ${bytes[6]}.${bytes[7]}, expected 1.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = view.getUint16(8, true);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + hlen));
  if (!/'descr':\s*'<f4'/.test(header)) throw bad('dtype is not <f4');
  if (!/'fortran_order':\s*False/.test(header)) throw bad('not C order');
  const m = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  if (!m) throw bad('shape is not 2-D');
  const shape: [number, number] = [Number(m[1]), Number(m[2])];
  const start = 10 + hlen;
  if (bytes.length - start !== shape[0] * shape[1] * 4) throw bad('data size does not match shape');
  const values = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(start + 4 * i, true);
  return { values, shape };
}
