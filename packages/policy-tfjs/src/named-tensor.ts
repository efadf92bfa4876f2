/**
 * A tensor in the Hugging Face layout (`[out, in]` for linear weights), as read from or written to a
 * safetensors file.
 */
export interface NamedTensor {
  readonly shape: readonly number[]
  readonly data: Float32Array
}
