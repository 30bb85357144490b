/**
 * Read by Vite when `medusa plugin:build` bundles src/admin, which it runs from the repository's root. Vite copies
 * the root's public/ folder into a build by default, and public/ holds the demo's Medusa Admin build (public/admin,
 * where `medusa start` looks; see scripts/demo/admin.js): without this, 11 MB of it would ship in the package.
 * Medusa's own admin builds (`medusa build`, `medusa develop`) run Vite from .medusa/client and never read this file.
 */
export default { publicDir: false }
