// Medusa's test runner boots a fresh app per test file; its ORM metadata must not leak between them.
const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()
