// Seam's JavaScript SDK against `seamconform serve`: what an SDK's CI
// would check. Run by TestJavaScriptSDK (sdk_e2e_test.go) with the
// variables serve prints; exits 1 when any check fails.
import {
  SeamHttp,
  SeamHttpApiError,
  SeamHttpInvalidInputError,
  SeamHttpUnauthorizedError,
} from '@seamapi/http'

const env = process.env
const endpoint = env.SEAM_ENDPOINT
let failed = false

const check = async (name, fn) => {
  try {
    await fn()
    console.log(`ok   ${name}`)
  } catch (err) {
    failed = true
    console.log(`FAIL ${name}: ${err?.stack ?? err}`)
  }
}

const assert = (condition, message) => {
  if (!condition) throw new Error(message)
}

// rejects returns the error fn throws, failing when it resolves.
const rejects = async (fn) => {
  try {
    await fn()
  } catch (err) {
    return err
  }
  throw new Error('resolved, but should have thrown')
}

const violations = async () => {
  const res = await fetch(`${endpoint}/_seamconform/violations`)
  return (await res.json()).violations
}

const seam = new SeamHttp({ apiKey: env.SEAM_API_KEY, endpoint })
const unknownID = '1b7e4c2a-9f3d-4e6b-8a5c-2d1f0e9b7c6a'

// serve was started with --sdk-fault rate-limit:1*1@/workspaces/get and
// --sdk-fault server-error*1@/user_identities/create: the first call of each
// meets the fault.
if (env.SEAMCONFORM_E2E_FAULTS === '1') {
  await check('a 429 with Retry-After on workspaces.get is retried and resolves', async () => {
    const workspace = await seam.workspaces.get()
    assert(workspace.workspace_id === env.SEAM_WORKSPACE_ID, `workspaces.get gave ${workspace.workspace_id}`)
    const res = await fetch(`${endpoint}/_seamconform/violations`)
    const calls = (await res.json()).calls.filter((c) => c.operation === 'GET /workspaces/get')
    assert(calls.length === 1 && calls[0].requests === 2, `calls ${JSON.stringify(calls)}, want the 429 and the retry`)
  })
  await check('a 500 on userIdentities.create throws SeamHttpApiError internal_server_error', async () => {
    const err = await rejects(() => seam.userIdentities.create({ full_name: 'SDK e2e 500' }))
    assert(err instanceof SeamHttpApiError && err.code === 'internal_server_error' && err.statusCode === 500, `threw ${err}`)
  })
}

await check('userIdentities.delete of a created identity resolves', async () => {
  const created = await seam.userIdentities.create({ full_name: 'SDK e2e' })
  assert(created.user_identity_id, 'create returned no user_identity_id')
  await seam.userIdentities.delete({ user_identity_id: created.user_identity_id })
  const err = await rejects(() => seam.userIdentities.get({ user_identity_id: created.user_identity_id }))
  assert(err instanceof SeamHttpApiError && err.code === 'user_identity_not_found', `after delete, get threw ${err}`)
})

await check('a personal access token with workspaceId works', async () => {
  const pat = SeamHttp.fromPersonalAccessToken(env.SEAM_PERSONAL_ACCESS_TOKEN, env.SEAM_WORKSPACE_ID, { endpoint })
  const created = await pat.userIdentities.create({ full_name: 'SDK e2e PAT' })
  await pat.userIdentities.delete({ user_identity_id: created.user_identity_id })
  const workspace = await pat.workspaces.get()
  assert(workspace.workspace_id === env.SEAM_WORKSPACE_ID, `workspaces.get gave ${workspace.workspace_id}`)
})

// Operations of the whole API, answered by the reference's generic route;
// serve runs with --check-responses, so their answers are schema-valid or
// a violation below.
for (const [name, call] of [
  ['devices.list', () => seam.devices.list()],
  ['locks.list', () => seam.locks.list()],
  ['acs.systems.list', () => seam.acs.systems.list()],
  ['connectedAccounts.list', () => seam.connectedAccounts.list()],
  // What the SDK sends with filters: an object as custom_metadata_has.room=,
  // an empty list as device_ids=, unions whose branches overlap.
  ['devices.list with custom_metadata_has', () => seam.devices.list({ custom_metadata_has: { room: '101' } })],
  ['devices.list with no device_ids', () => seam.devices.list({ device_ids: [] })],
  ['events.list between two dates', () => seam.events.list({ between: ['2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'] })],
  ['acs.credentials.list of a system', () => seam.acs.credentials.list({ acs_system_id: unknownID })],
]) {
  await check(`${name} resolves with a list`, async () => {
    const result = await call()
    assert(Array.isArray(result), `${name} resolved with ${JSON.stringify(result)}`)
  })
}

await check('the valid calls above recorded no violation, of either side', async () => {
  const found = await violations()
  assert(found.length === 0, `violations: ${JSON.stringify(found, null, 1)}`)
})

await check('an invalid id throws SeamHttpInvalidInputError naming user_identity_id', async () => {
  const err = await rejects(() => seam.userIdentities.delete({ user_identity_id: 'not-a-uuid' }))
  assert(err instanceof SeamHttpInvalidInputError, `threw ${err}`)
  const names = err.validationErrors.map((e) => e.parameterName)
  assert(names.includes('user_identity_id'), `validation errors name ${names}`)
})

await check('an unknown key throws SeamHttpUnauthorizedError', async () => {
  const stranger = new SeamHttp({ apiKey: 'seam_unknownkey0000000000000', endpoint })
  const err = await rejects(() => stranger.userIdentities.delete({ user_identity_id: unknownID }))
  assert(err instanceof SeamHttpUnauthorizedError, `threw ${err}`)
})

await check('an unknown id throws SeamHttpApiError with code user_identity_not_found', async () => {
  const err = await rejects(() => seam.userIdentities.delete({ user_identity_id: unknownID }))
  assert(err instanceof SeamHttpApiError && err.code === 'user_identity_not_found', `threw ${err} (code ${err.code})`)
})

await check('only the invalid id was a violation, then forget it', async () => {
  const found = await violations()
  assert(
    found.length === 1 && found[0].rule === 'query' && found[0].reason.includes('user_identity_id'),
    `violations: ${JSON.stringify(found, null, 1)}`,
  )
  const res = await fetch(`${endpoint}/_seamconform/forget`, { method: 'POST' })
  assert(res.ok && (await violations()).length === 0, 'forget did not clear the violations')
})

process.exit(failed ? 1 : 0)
