/**
 * Serves the demo storefront (static files), its config, and the plugin's storefront module as an ES module
 * (`/hpp-storefront.js`, transpiled from src/storefront as `npm run build` does); not part of the plugin.
 */
const http = require("node:http")
const fs = require("node:fs")
const path = require("node:path")

const QRCode = require("qrcode")
const { storefrontEsm } = require("../build-package")

const dir = path.join(__dirname, "storefront")
let esm
const storefrontModule = () => (esm ??= storefrontEsm())
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css" }

function startStorefront({ port, backendUrl, seed }) {
  const config = JSON.stringify({ backendUrl, ...seed })
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url, "http://localhost")
    if (pathname === "/config.json") {
      res.writeHead(200, { "content-type": "application/json" })
      return res.end(config)
    }
    if (pathname === "/qr.svg") {
      // A QR code drawn by a well-kept library (qrcode), for the PayNow payload a session holds.
      const data = new URL(req.url, "http://localhost").searchParams.get("data") ?? ""
      return QRCode.toString(data, { type: "svg", margin: 2, errorCorrectionLevel: "M" }).then(
        (svg) => {
          res.writeHead(200, { "content-type": "image/svg+xml", "cache-control": "no-store" })
          res.end(svg)
        },
        () => {
          res.writeHead(400, { "content-type": "text/plain" })
          res.end("Cannot draw that as a QR code")
        }
      )
    }
    if (pathname === "/hpp-storefront.js") {
      // medusa-payment-hpp/storefront as the package ships it (the same transpile as the build's index.mjs).
      res.writeHead(200, { "content-type": "text/javascript" })
      return res.end(storefrontModule())
    }
    const file = { "/": "index.html", "/return": "return.html" }[pathname] ?? pathname.slice(1)
    const full = path.join(dir, file)
    if (!full.startsWith(dir) || !fs.existsSync(full)) {
      res.writeHead(404, { "content-type": "text/plain" })
      return res.end("Not found")
    }
    res.writeHead(200, { "content-type": types[path.extname(full)] ?? "application/octet-stream" })
    fs.createReadStream(full).pipe(res)
  })
  return new Promise((resolve, reject) => {
    server.on("error", reject)
    server.listen(port, "127.0.0.1", () => resolve({ close: () => new Promise((r) => server.close(r)) }))
  })
}

module.exports = { startStorefront }
