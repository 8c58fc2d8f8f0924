// Sends, through Seam's JavaScript SDK's own HTTP client, a request Seam's
// SDKs never send: a DELETE with a text/plain body. TestJavaScriptSDK
// requires serve to record it as a violation.
import { SeamHttp } from '@seamapi/http'

const seam = new SeamHttp({ apiKey: process.env.SEAM_API_KEY, endpoint: process.env.SEAM_ENDPOINT })
const created = await seam.userIdentities.create({ full_name: 'SDK e2e bad request' })
await seam.client.delete('/user_identities/delete', {
  params: { user_identity_id: created.user_identity_id },
  data: 'please delete',
  headers: { 'Content-Type': 'text/plain' },
})
console.log('sent')
