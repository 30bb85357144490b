/** The few statistics the benchmark needs: quantiles and a bootstrap interval for a median. */

function quantile(values, q) {
  if (!values.length) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo)
}

const median = (values) => quantile(values, 0.5)

/** A small seeded generator (mulberry32), so that an interval is the same for the same numbers. */
function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The median and its 95 % percentile-bootstrap interval (resampling the values with replacement). */
function medianWithInterval(values, { resamples = 5000, seed = 1 } = {}) {
  if (!values.length) return { median: NaN, low: NaN, high: NaN, n: 0 }
  const next = random(seed)
  const medians = new Float64Array(resamples)
  const sample = new Array(values.length)
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[Math.floor(next() * values.length)]
    medians[r] = median(sample)
  }
  const sorted = Array.from(medians).sort((a, b) => a - b)
  return {
    median: median(values),
    low: sorted[Math.floor(resamples * 0.025)],
    high: sorted[Math.ceil(resamples * 0.975) - 1],
    n: values.length,
  }
}

/**
 * The difference of two independent samples' medians (x − y) and its 95 % percentile-bootstrap interval, each
 * sample resampled on its own.
 */
function medianDifferenceWithInterval(x, y, { resamples = 5000, seed = 1 } = {}) {
  if (!x.length || !y.length) return { median: NaN, low: NaN, high: NaN, n: 0 }
  const next = random(seed)
  const draw = (values) => Array.from(values, () => values[Math.floor(next() * values.length)])
  const diffs = new Float64Array(resamples)
  for (let r = 0; r < resamples; r++) diffs[r] = median(draw(x)) - median(draw(y))
  const sorted = Array.from(diffs).sort((a, b) => a - b)
  return {
    median: median(x) - median(y),
    low: sorted[Math.floor(resamples * 0.025)],
    high: sorted[Math.ceil(resamples * 0.975) - 1],
    n: Math.min(x.length, y.length),
  }
}

/** Fisher-Yates, in place. */
function shuffle(values, next = Math.random) {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1))
    ;[values[i], values[j]] = [values[j], values[i]]
  }
  return values
}

module.exports = { quantile, median, medianWithInterval, medianDifferenceWithInterval, shuffle, random }
