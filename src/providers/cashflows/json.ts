const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y

/**
 * JSON.parse, except that an integer too large for a JS number (Cashflows' 64-bit job and payment
 * references, which its API reference types as int64) is kept as its exact digits, as a string.
 * JSON.parse alone would turn 210121017238589452 into 210121017238589440.
 */
export function parseJsonKeepingBigIntegers(text: string): unknown {
  let out = ""
  let i = 0
  while (i < text.length) {
    const ch = text[i]
    if (ch === '"') {
      // Copy a string literal as is, escapes included.
      let j = i + 1
      while (j < text.length && text[j] !== '"') {
        j += text[j] === "\\" ? 2 : 1
      }
      out += text.slice(i, j + 1)
      i = j + 1
      continue
    }
    if (ch === "-" || (ch >= "0" && ch <= "9")) {
      NUMBER.lastIndex = i
      const token = NUMBER.exec(text)?.[0] ?? ch
      const isInteger = /^-?\d+$/.test(token)
      out += isInteger && !Number.isSafeInteger(Number(token)) ? `"${token}"` : token
      i += token.length
      continue
    }
    out += ch
    i += 1
  }
  return JSON.parse(out)
}
