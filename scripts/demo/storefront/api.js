// The demo storefront's only way to the store: Medusa's Store API, with the publishable key.
export async function loadConfig() {
  const response = await fetch("/config.json")
  return response.json()
}

export async function store(config, path, body) {
  const response = await fetch(`${config.backendUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", "x-publishable-api-key": config.publishableKey },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await response.json().catch(() => ({}))
  if (!response.ok) {
    throw new Error(json.message || `The store answered ${response.status}`)
  }
  return json
}

export function money(amount, currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(amount)
}
