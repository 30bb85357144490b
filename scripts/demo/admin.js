/**
 * Medusa Admin for the demo store. `medusa start` serves only an admin built beforehand (`public/admin`, built by
 * `medusa build`); this builds it once (`medusa build --admin-only`, about a minute on two cores) and again only
 * when something it is built from changed: the admin extensions in src/admin, the admin packages' versions,
 * medusa-config.ts, or the environment variables Medusa's admin build reads.
 */
const crypto = require("node:crypto")
const fs = require("node:fs")
const path = require("node:path")

const root = path.resolve(__dirname, "..", "..")
/** Where `medusa start` (run from the repository's root) looks for the admin: `<root>/public/admin`. */
const ADMIN_DIR = path.join(root, "public", "admin")
/** What the build in ADMIN_DIR was made from (a hash); next to it, never inside it (Medusa serves that folder). */
const KEY_FILE = path.join(root, "public", ".admin-build-key")
/** Where `medusa build --admin-only` writes. */
const BUILD_OUTPUT = path.join(root, ".medusa", "admin")

/** The packages the admin bundle is made of or built with. */
const PACKAGES = [
  "@medusajs/admin-bundler",
  "@medusajs/admin-sdk",
  "@medusajs/admin-shared",
  "@medusajs/admin-vite-plugin",
  "@medusajs/dashboard",
  "@medusajs/draft-order",
  "@medusajs/icons",
  "@medusajs/js-sdk",
  "@medusajs/ui",
  "@tanstack/react-query",
  "react",
  "react-dom",
  "react-router-dom",
  "tailwindcss",
  "vite",
]

function filesUnder(dir) {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name)
      return entry.isDirectory() ? filesUnder(full) : [full]
    })
    .sort()
}

function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, "node_modules", name, "package.json"), "utf8")).version
  } catch {
    return "missing"
  }
}

/** A hash of everything the admin build depends on; a different one means build again. */
function buildKey(env) {
  const hash = crypto.createHash("sha256")
  for (const file of [...filesUnder(path.join(root, "src", "admin")), path.join(root, "medusa-config.ts")]) {
    hash.update(path.relative(root, file)).update("\0").update(fs.readFileSync(file)).update("\0")
  }
  for (const name of PACKAGES) hash.update(`${name}@${installedVersion(name)}\0`)
  // The variables @medusajs/admin-bundler bakes into the bundle.
  const baked = Object.keys(env)
    .filter((k) => /^(MEDUSA_BACKEND_URL|ADMIN_AUTH_TYPE|ADMIN_JWT_TOKEN_STORAGE_KEY|PLUGIN_.*)$/.test(k))
    .sort()
  for (const k of baked) hash.update(`${k}=${env[k]}\0`)
  return hash.digest("hex")
}

/**
 * Makes `public/admin` hold an admin build of the current sources, building it only when needed. `run` runs the
 * medusa CLI (the demo's), `env` is the environment the build reads. Resolves `{ built, seconds }`.
 */
async function ensureAdminBuild({ run, env, log }) {
  const key = buildKey(env)
  const current = fs.existsSync(KEY_FILE) ? fs.readFileSync(KEY_FILE, "utf8").trim() : null
  if (current === key && fs.existsSync(path.join(ADMIN_DIR, "index.html"))) {
    log("Medusa Admin: nothing changed since its last build, reusing it")
    return { built: false, seconds: 0 }
  }
  log("Building Medusa Admin (about a minute; later starts reuse it until src/admin or a package changes)…")
  const started = Date.now()
  await run(["build", "--admin-only", "--no-lint"], env)
  if (!fs.existsSync(path.join(BUILD_OUTPUT, "index.html")))
    throw new Error("medusa build --admin-only wrote no index.html")
  fs.rmSync(KEY_FILE, { force: true })
  fs.rmSync(ADMIN_DIR, { recursive: true, force: true })
  fs.mkdirSync(path.dirname(ADMIN_DIR), { recursive: true })
  fs.renameSync(BUILD_OUTPUT, ADMIN_DIR)
  fs.writeFileSync(KEY_FILE, `${key}\n`)
  const seconds = Math.round((Date.now() - started) / 1000)
  log(`Medusa Admin built in ${seconds} s`)
  return { built: true, seconds }
}

/** The demo's admin: a fixed e-mail and, unless DEMO_ADMIN_PASSWORD says otherwise, a new password per start. */
function adminCredentials() {
  return {
    email: process.env.DEMO_ADMIN_EMAIL || "admin@demo.local",
    password: process.env.DEMO_ADMIN_PASSWORD || crypto.randomBytes(9).toString("base64url"),
  }
}

/** Signs in to the Admin API as a user (`POST /auth/user/emailpass`) and returns a fetch for /admin routes. */
async function adminApi(backendUrl, { email, password }) {
  const response = await fetch(`${backendUrl}/auth/user/emailpass`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  })
  const body = await response.json().catch(() => ({}))
  if (!response.ok || !body.token)
    throw new Error(`signing in as ${email}: ${response.status} ${body.message ?? ""}`.trim())
  return async (route, init = {}) => {
    const res = await fetch(`${backendUrl}${route}`, {
      ...init,
      headers: { authorization: `Bearer ${body.token}`, "content-type": "application/json", ...init.headers },
    })
    const json = await res.json().catch(() => ({}))
    if (!res.ok) throw new Error(`${route}: ${res.status} ${json.message ?? ""}`.trim())
    return json
  }
}

module.exports = { ensureAdminBuild, adminCredentials, adminApi, ADMIN_DIR }
