// The demo storefront's only way to the store: Medusa's Store API, with the publishable key.
export async function loadConfig() {
  const response = await fetch("/config.json")
  return response.json()
}

/**
 * What medusa-payment-hpp/storefront needs of a Medusa JS SDK: `client.fetch(path, { method, body, query })`,
 * sending the publishable key, answering JSON, and throwing with the store's message and `status` on an error.
 * A storefront with a bundler passes `new Medusa({ baseUrl, publishableKey })` from @medusajs/js-sdk instead; this
 * page has no bundler, so it carries these few lines.
 */
export function storeSdk(config) {
  return {
    client: {
      async fetch(path, init = {}) {
        const url = new URL(`${config.backendUrl}${path}`)
        for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, String(value))
        let response
        try {
          response = await fetch(url, {
            method: init.method ?? "GET",
            headers: { "content-type": "application/json", "x-publishable-api-key": config.publishableKey },
            body: init.body === undefined ? undefined : JSON.stringify(init.body),
          })
        } catch (e) {
          throw new Error(`The store could not be reached: ${e.message}`)
        }
        const json = await response.json().catch(() => ({}))
        if (!response.ok) {
          throw Object.assign(new Error(json.message || `The store answered ${response.status}`), {
            status: response.status,
          })
        }
        return json
      },
    },
  }
}

export function money(amount, currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(amount)
}
