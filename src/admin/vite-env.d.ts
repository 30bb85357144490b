/// <reference lib="dom" />

/**
 * Set by Medusa's admin build (`define` in @medusajs/admin-bundler): the backend's URL as the store configured
 * it (`admin.backendUrl`, "/" by default). A plugin's admin code reads it here, not from `import.meta.env`,
 * which a plugin build would freeze at the plugin's own build time.
 */
declare const __BACKEND_URL__: string | undefined
