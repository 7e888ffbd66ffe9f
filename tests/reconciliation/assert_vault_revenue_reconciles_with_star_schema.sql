{#
    The Data Vault answers the star schema's questions with the same figures: net revenue, lines and units per
    month and customer country computed from the vault's current state (latest satellite rows, current lines,
    the pricing rules applied as analyses/monthly_net_revenue_for_one_country_from_the_vault.sql applies them)
    equal the fact's, joined to dim_date and dim_customers (guest orders: no country). Returns each group that
    differs.
#}

with

order_versions as (

    {{ vault_current_rows(ref('sat_order'), 'order_hash_key') }}

),

customer_versions as (

    {{ vault_current_rows(ref('sat_customer'), 'customer_hash_key') }}

),

line_versions as (

    {{ vault_current_rows(ref('sat_order_item'), 'order_item_hash_key') }}

),

vault_lines as (

    select
        cast({{ dbt.date_trunc('month', 'order_versions.order_date') }} as date) as month_start_date,
        customer_versions.country_code as customer_country_code,
        line_versions.quantity,
        {{ line_net_amount(
            'line_versions.quantity', 'line_versions.unit_price', 'order_versions.tax_rate',
            'order_versions.prices_include_tax',
        ) }} as net_amount
    from {{ ref('lnk_order_item') }} as line_links
    inner join line_versions
        on
            line_links.order_item_hash_key = line_versions.order_item_hash_key
            and not line_versions.is_deleted
    inner join order_versions
        on line_links.order_hash_key = order_versions.order_hash_key
    left join {{ ref('lnk_order_customer') }} as order_customers
        on line_links.order_hash_key = order_customers.order_hash_key
    left join customer_versions
        on order_customers.customer_hash_key = customer_versions.customer_hash_key
    where order_versions.order_status != 'cancelled'

),

vault_groups as (

    select
        month_start_date,
        customer_country_code,
        count(*) as line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_revenue
    from vault_lines
    group by month_start_date, customer_country_code

),

star_groups as (

    select
        dates.month_start_date,
        customers.country_code as customer_country_code,
        count(*) as line_count,
        sum(fact.quantity) as quantity,
        sum(fact.net_amount) as net_revenue
    from {{ ref('fct_order_items') }} as fact
    inner join {{ ref('dim_date') }} as dates
        on fact.order_date = dates.date_day
    inner join {{ ref('dim_customers') }} as customers
        on fact.customer_key = customers.customer_key
    where fact.is_revenue
    group by dates.month_start_date, customers.country_code

)

select
    coalesce(star_groups.month_start_date, vault_groups.month_start_date) as month_start_date,
    coalesce(star_groups.customer_country_code, vault_groups.customer_country_code) as customer_country_code,
    star_groups.net_revenue as star_net_revenue,
    vault_groups.net_revenue as vault_net_revenue
from star_groups
full outer join vault_groups
    on
        star_groups.month_start_date = vault_groups.month_start_date
        and star_groups.customer_country_code is not distinct from vault_groups.customer_country_code
where
    star_groups.month_start_date is null
    or vault_groups.month_start_date is null
    or star_groups.line_count != vault_groups.line_count
    or star_groups.quantity != vault_groups.quantity
    or star_groups.net_revenue != vault_groups.net_revenue
