// What a user types for a Hub download (OWNER/REPO, OWNER/REPO@rev, a Hub URL with a revision and subfolder or a
// file), the endpoint chosen as huggingface_hub chooses it, and the Hub URLs built from them.
import { describe, expect, it } from 'vitest'
import { chooseEndpoint, parseRepoInput, resolveUrl, treeUrl } from '../../src/hub/endpoint.js'
import { HubError } from '../../src/hub/errors.js'

const usageError = (action: () => unknown): HubError => {
  try {
    action()
  } catch (error) {
    expect(error).toBeInstanceOf(HubError)
    expect((error as HubError).kind).toBe('usage')
    return error as HubError
  }
  throw new Error('expected a usage error')
}

describe('repository input', () => {
  it('reads OWNER/REPO and OWNER/REPO@REVISION', () => {
    expect(parseRepoInput(' ByteDance/Hyper-SD ')).toEqual({ ref: { repo: 'ByteDance/Hyper-SD', revision: 'main' } })
    expect(parseRepoInput('onnx-community/stable-diffusion-v1-5-ONNX@refs/pr/3')).toEqual({ ref: { repo: 'onnx-community/stable-diffusion-v1-5-ONNX', revision: 'refs/pr/3' } })
  })

  it('reads Hub URLs: a repository, a tree with its revision and subfolder, and a file', () => {
    expect(parseRepoInput('https://huggingface.co/ByteDance/Hyper-SD')).toEqual({ ref: { repo: 'ByteDance/Hyper-SD', revision: 'main' } })
    expect(parseRepoInput('https://huggingface.co/stabilityai/sdxl-turbo/tree/v1.0/onnx/unet')).toEqual({ ref: { repo: 'stabilityai/sdxl-turbo', revision: 'v1.0', subfolder: 'onnx/unet' } })
    expect(parseRepoInput('https://hf-mirror.com/ByteDance/Hyper-SD/resolve/main/Hyper-SD15-4steps-lora.safetensors?download=true')).toEqual({
      ref: { repo: 'ByteDance/Hyper-SD', revision: 'main' },
      file: 'Hyper-SD15-4steps-lora.safetensors',
    })
    expect(parseRepoInput('https://huggingface.co/ByteDance/Hyper-SD/blob/main/Hyper-SDXL-1step-Unet.safetensors').file).toBe('Hyper-SDXL-1step-Unet.safetensors')
  })

  it('refuses what is not a repository id, naming it', () => {
    expect(usageError(() => parseRepoInput('Hyper-SD')).message).toMatch(/"Hyper-SD" is not a Hugging Face repository id/)
    expect(usageError(() => parseRepoInput('owner/../etc')).message).toMatch(/is not a Hugging Face repository id/)
    expect(usageError(() => parseRepoInput('owner/name@')).message).toMatch(/empty revision/)
    expect(usageError(() => parseRepoInput('https://huggingface.co/owner/name/resolve/main/../x')).message).toMatch(/not a file path inside a repository/)
  })
})

describe('endpoint', () => {
  it('takes the explicit endpoint, else HF_ENDPOINT, else huggingface.co, without a trailing slash', () => {
    expect(chooseEndpoint('http://127.0.0.1:9000/', 'https://hf-mirror.com')).toBe('http://127.0.0.1:9000')
    expect(chooseEndpoint(undefined, 'https://hf-mirror.com/')).toBe('https://hf-mirror.com')
    expect(chooseEndpoint(undefined, undefined)).toBe('https://huggingface.co')
    expect(usageError(() => chooseEndpoint('hf-mirror.com', undefined)).message).toMatch(/is not a URL/)
    expect(usageError(() => chooseEndpoint('ftp://mirror', undefined)).message).toMatch(/must be an http\(s\) URL/)
  })

  it("builds the Hub's resolve and tree URLs, each path segment encoded", () => {
    expect(resolveUrl('https://huggingface.co', 'ByteDance/Hyper-SD', 'main', 'dir/a b.safetensors')).toBe('https://huggingface.co/ByteDance/Hyper-SD/resolve/main/dir/a%20b.safetensors')
    expect(resolveUrl('https://huggingface.co', 'o/r', 'refs/pr/3', 'x.onnx')).toBe('https://huggingface.co/o/r/resolve/refs%2Fpr%2F3/x.onnx')
    expect(treeUrl('http://127.0.0.1:9000', { repo: 'o/r', revision: 'main', subfolder: 'onnx' })).toBe('http://127.0.0.1:9000/api/models/o/r/tree/main/onnx?recursive=true')
  })
})
