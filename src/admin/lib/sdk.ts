import Medusa from "@medusajs/js-sdk"

/**
 * The admin's client for the plugin's routes (`/admin/hpp/…`): the signed-in admin's session cookie, as
 * Medusa's own dashboard sends it. `__BACKEND_URL__` is filled in by the store's admin build.
 */
export const sdk = new Medusa({
  baseUrl: __BACKEND_URL__ || "/",
  auth: { type: "session" },
})
