// Jest runs every integration file in one process (--runInBand), each with its own copy of nock, while Node's
// http module is shared. A file must take its interceptors away when it ends, or the next file's nock cannot
// intercept and the providers' calls would head for the real gateways.
const nock = require("nock")

afterAll(() => {
  nock.cleanAll()
  nock.restore()
})
