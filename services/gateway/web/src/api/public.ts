// The public portal's calls: /api/v1/public/… without a token (the gateway vouches for the address).
import { request, type Query } from './http'

export const publicApi = {
  get: <T>(path: string, query?: Query) => request<T>(`/public${path}`, { query, auth: false }),
  post: <T>(path: string, json: unknown) => request<T>(`/public${path}`, { method: 'POST', json, auth: false }),
}

/** Governments a member of the public may address a clue to (no public organisation list yet). */
export const PUBLIC_GOVERNMENTS: { code: string; name: string }[] = [
  { code: '520000000000', name: '贵州省人民政府' },
  { code: '520100000000', name: '贵阳市人民政府' },
  { code: '520200000000', name: '六盘水市人民政府' },
  { code: '520300000000', name: '遵义市人民政府' },
  { code: '520400000000', name: '安顺市人民政府' },
  { code: '520500000000', name: '毕节市人民政府' },
  { code: '520600000000', name: '铜仁市人民政府' },
  { code: '522300000000', name: '黔西南布依族苗族自治州人民政府' },
  { code: '522600000000', name: '黔东南苗族侗族自治州人民政府' },
  { code: '522700000000', name: '黔南布依族苗族自治州人民政府' },
]

export function governmentName(code: string): string {
  return PUBLIC_GOVERNMENTS.find((g) => g.code === code)?.name ?? code
}
