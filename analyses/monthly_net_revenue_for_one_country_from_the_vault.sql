-- Net revenue by month for customers in the US, from the raw Data Vault: each satellite's latest row is the
-- current state, an order's lines are its links whose latest row is not a removal, and the business rules
-- (net price, revenue excludes cancelled orders) are applied in the query, since the raw vault stores the data as
-- exported. This is why a vault is usually read through marts (or a business vault) built on it.

with

order_versions as (

    {{ vault_current_rows(ref('sat_order'), 'order_hash_key') }}

),

customer_versions as (

    {{ vault_current_rows(ref('sat_customer'), 'customer_hash_key') }}

),

line_versions as (

    {{ vault_current_rows(ref('sat_order_item'), 'order_item_hash_key') }}

)

select
    cast({{ dbt.date_trunc('month', 'order_versions.order_date') }} as date) as month_start_date,
    {{ round_money(
        'sum(' ~ line_net_amount(
            'line_versions.quantity', 'line_versions.unit_price', 'order_versions.tax_rate',
            'order_versions.prices_include_tax',
        ) ~ ')'
    ) }} as net_revenue
from {{ ref('lnk_order_item') }} as line_links
inner join line_versions
    on
        line_links.order_item_hash_key = line_versions.order_item_hash_key
        and not line_versions.is_deleted
inner join order_versions
    on line_links.order_hash_key = order_versions.order_hash_key
inner join {{ ref('lnk_order_customer') }} as order_customers
    on line_links.order_hash_key = order_customers.order_hash_key
inner join customer_versions
    on order_customers.customer_hash_key = customer_versions.customer_hash_key
where order_versions.order_status != 'cancelled' and customer_versions.country_code = 'US'
group by {{ dbt.date_trunc('month', 'order_versions.order_date') }}
order by month_start_date
