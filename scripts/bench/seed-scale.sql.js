/**
 * The scale run's data (scripts/bench/scale.js), made inside PostgreSQL with generate_series: `n` payment sessions
 * over two years, oldest first, with what they need and what a store of that size has beside them.
 *
 * - providers: HitPay 20 %, Cashflows 15 %, NetValve 10 %, CatalystPay 15 % (the plugin's), Stripe 30 %, Medusa's
 *   system provider 10 %;
 * - statuses: older than 3 days, 45 % authorized, 25 % canceled, 4 % error, 26 % pending (abandoned carts: Medusa
 *   leaves them pending for ever); the last 3 days mostly open (pending, requires_more, pending_authorization);
 * - 15 % deleted (a cart change replaces its session); CatalystPay sessions older than a year half under the legacy
 *   key `session_token` instead of `gateway_reference`;
 * - a payment collection per 1.25 sessions, 95 % a cart's (a cart each, linked), 5 % an order's own (an edit);
 *   a payment per authorized session; an order per paid collection and per order collection, linked as Medusa links
 *   them (order_cart, order_payment_collection); an address (billing and shipping) for each cart and order;
 * - the plugin's record: 3 rows (page made, webhook, buyer's return) for 30 % of the plugin's sessions, open
 *   "needs attention" items on 1 in 5,000 of those, and refused-webhook counters with no session (1 per 20 sessions).
 *
 * Ids are md5-derived, so as scattered in the primary keys as Medusa's ULIDs are across a store's history.
 */
const statements = (n) => {
  const N = Math.floor(n)
  const C = Math.floor((N * 4) / 5)
  // A uniform 0..99 from a hash of an integer (hashint4 is PostgreSQL's own).
  const pct = (expr) => `mod(hashint4(${expr})::bigint + 2147483648, 100)`
  const key = (prefix, expr) => `'${prefix}' || upper(substr(md5(${expr}), 1, 26))`
  const ours = `('pp_hitpay_hitpay', 'pp_cashflows_cashflows', 'pp_netvalve_netvalve', 'pp_catalystpay_catalystpay')`
  return [
    [
      "payment collections",
      `create temp table scale_c as
       select c, ${key("pay_col_", "'c' || c")} as id, ${key("cart_", "'c' || c")} as cart_id, mod(c, 20) <> 0 as has_cart,
         now() - ((${C} - c)::float8 / ${C}) * interval '730 days' as created_at
       from generate_series(0, ${C}) c`,
    ],
    [null, "analyze scale_c"],
    [
      null,
      `insert into payment_collection (id, currency_code, amount, raw_amount, status, created_at, updated_at)
       select id, 'usd', 100, '{"value":"100","precision":20}'::jsonb, 'not_paid', created_at, created_at from scale_c`,
    ],
    [
      "carts and their links",
      `insert into cart_address (id, first_name, last_name, address_1, city, country_code, postal_code, created_at, updated_at)
       select ${key("caaddr_", "'a' || c")}, 'Buyer', 'No. ' || c, c || ' High Street', 'Town', 'gb', 'AB1 2CD',
         created_at, created_at from scale_c where has_cart`,
    ],
    [
      null,
      `insert into cart (id, currency_code, email, billing_address_id, shipping_address_id, created_at, updated_at)
       select cart_id, 'usd', 'buyer' || c || '@example.com', ${key("caaddr_", "'a' || c")}, ${key("caaddr_", "'a' || c")},
         created_at, created_at from scale_c where has_cart`,
    ],
    [
      null,
      `insert into cart_payment_collection (id, cart_id, payment_collection_id, created_at, updated_at)
       select ${key("cartpc_", "'l' || c")}, cart_id, id, created_at, created_at from scale_c where has_cart`,
    ],
    [
      "payment sessions",
      `insert into payment_session (id, currency_code, amount, raw_amount, provider_id, data, status,
         payment_collection_id, created_at, updated_at, deleted_at, authorized_at)
       select s.id, s.currency, s.amount, jsonb_build_object('value', s.amount::text, 'precision', 20), s.provider,
         case
           when s.provider not in ${ours} then jsonb_build_object('id', 'pi_' || md5('x' || s.i))
           when s.provider = 'pp_catalystpay_catalystpay' and s.created_at < now() - interval '365 days' and mod(s.i, 2) = 0
             then jsonb_build_object('session_id', s.id, 'session_token', s.ref)
           else jsonb_build_object('session_id', s.id, 'gateway_reference', s.ref, 'amount', s.amount::text)
         end,
         s.status, ${key("pay_col_", "'c' || s.c")}, s.created_at, s.created_at,
         case when ${pct("-s.i")} < (case when s.recent then 5 else 15 end) then s.created_at + interval '10 minutes' end,
         case when s.status in ('authorized', 'captured') then s.created_at + interval '3 minutes' end
       from (
         select b.*,
           case
             when b.recent then case
               when b.hs < 60 then 'pending' when b.hs < 65 then 'requires_more'
               when b.hs < 70 then 'pending_authorization' when b.hs < 72 then 'error' else 'authorized' end
             else case when b.hs < 45 then 'authorized' when b.hs < 70 then 'canceled' when b.hs < 74 then 'error'
               else 'pending' end
           end as status
         from (
           select a.*, ${pct("a.i + 1000000007")} as hs,
             case when a.hp < 20 then 'pp_hitpay_hitpay' when a.hp < 35 then 'pp_cashflows_cashflows'
               when a.hp < 45 then 'pp_netvalve_netvalve' when a.hp < 60 then 'pp_catalystpay_catalystpay'
               when a.hp < 90 then 'pp_stripe_stripe' else 'pp_system_default' end as provider,
             case when a.hp < 20 then 'sgd' when a.hp < 35 then 'gbp' when a.hp < 60 then 'eur' else 'usd' end as currency,
             md5('r' || a.i) as ref, (10 + mod(a.i::bigint * 7919, 50000) / 100.0)::numeric as amount,
             a.created_at > now() - interval '3 days' as recent
           from (
             select i, ${key("payses_", "'s' || i")} as id, (i::bigint * 4) / 5 as c, ${pct("i")} as hp,
               now() - ((${N} - i)::float8 / ${N}) * interval '730 days' - mod(i::bigint * 31, 600) * interval '1 second' as created_at
             from generate_series(1, ${N}) i
           ) a
         ) b
       ) s`,
    ],
    [
      "payments",
      `insert into payment (id, amount, raw_amount, currency_code, provider_id, payment_collection_id, payment_session_id,
         data, created_at, updated_at)
       select 'pay_' || upper(substr(md5('p' || id), 1, 26)), amount, raw_amount, currency_code, provider_id,
         payment_collection_id, id, '{}'::jsonb, authorized_at, authorized_at
       from payment_session where status in ('authorized', 'captured') and deleted_at is null`,
    ],
    [null, "analyze payment"],
    [
      "orders and their links",
      `create temp table scale_o as
       select sc.*, ${key("order_", "'o' || sc.c")} as order_id
       from scale_c sc left join (select distinct payment_collection_id from payment) p on p.payment_collection_id = sc.id
       where not sc.has_cart or p.payment_collection_id is not null`,
    ],
    [
      null,
      `insert into order_address (id, first_name, last_name, address_1, city, country_code, postal_code, created_at, updated_at)
       select ${key("ordaddr_", "'a' || c")}, 'Buyer', 'No. ' || c, c || ' High Street', 'Town', 'gb', 'AB1 2CD',
         created_at, created_at from scale_o`,
    ],
    [
      null,
      `insert into "order" (id, currency_code, email, billing_address_id, shipping_address_id, created_at, updated_at)
       select order_id, 'usd', 'buyer' || c || '@example.com', ${key("ordaddr_", "'a' || c")}, ${key("ordaddr_", "'a' || c")},
         created_at, created_at from scale_o`,
    ],
    [
      null,
      `insert into order_payment_collection (id, order_id, payment_collection_id, created_at, updated_at)
       select ${key("ordpay_", "'l' || c")}, order_id, id, created_at, created_at from scale_o`,
    ],
    [
      null,
      `insert into order_cart (id, order_id, cart_id, created_at, updated_at)
       select ${key("ordercart_", "'l' || c")}, order_id, cart_id, created_at, created_at from scale_o where has_cart`,
    ],
    [
      "the plugin's record",
      `insert into hpp_payment_event (id, provider_id, gateway, payment_session_id, gateway_reference, kind, outcome,
         message, amount, currency_code, attention, fields, created_at, updated_at)
       select 'hppev_' || upper(substr(md5(ps.id || k), 1, 26)), ps.provider_id, split_part(ps.provider_id, '_', 2),
         ps.id, coalesce(ps.data->>'gateway_reference', ps.data->>'session_token'),
         (array['page_created', 'webhook', 'buyer_return'])[k],
         (array['made', 'paid', 'order'])[k], 'seeded by the scale run', ps.amount::text, ps.currency_code,
         k = 2 and mod(hashtext(ps.id)::bigint + 2147483648, 5000) = 0,
         case when k = 2 and mod(hashtext(ps.id)::bigint + 2147483648, 5000) = 0
           then '{"attention_kind":"paid_no_order"}'::jsonb else '{}'::jsonb end,
         ps.created_at + (k - 1) * interval '2 minutes', ps.created_at + (k - 1) * interval '2 minutes'
       from payment_session ps cross join generate_series(1, 3) k
       where ps.provider_id in ${ours} and mod(hashtext(ps.id)::bigint + 2147483648, 10) < 3`,
    ],
    [
      null,
      `insert into hpp_payment_event (id, provider_id, gateway, kind, outcome, message, occurrences, dedupe_key, fields,
         created_at, updated_at)
       select 'hppev_' || upper(substr(md5('refused' || i), 1, 26)), p.provider, split_part(p.provider, '_', 2),
         'webhook', 'refused', 'seeded by the scale run: refused senders, counted per minute', 1 + mod(i, 7),
         'refused:' || i, '{}'::jsonb, t, t
       from generate_series(1, ${Math.max(1, Math.floor(N / 20))}) i,
         lateral (select (array['pp_hitpay_hitpay', 'pp_cashflows_cashflows', 'pp_netvalve_netvalve',
           'pp_catalystpay_catalystpay'])[1 + mod(i, 4)] as provider,
           now() - (random() * 730) * interval '1 day' as t) p`,
    ],
  ]
}

module.exports = { statements }
