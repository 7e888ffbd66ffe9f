-- depends_on: {{ ref('hub_order') }}
{%- set narrowed = reconciliation_is_narrowed(ref('fct_order_items')) %}
{%- set per_order = ', order_hash_key' if narrowed else '' %}

with

{% if narrowed %}
    vault_touched_orders as (

        select order_rows.order_hash_key from {{ ref('sat_order') }} as order_rows
        where {{ stamped_by_this_build('order_rows.load_date') }}
        union
        select line_rows.order_hash_key from {{ ref('sat_order_item') }} as line_rows
        where {{ stamped_by_this_build('line_rows.load_date') }}
        union
        select customer_links.order_hash_key from {{ ref('lnk_order_customer') }} as customer_links
        where {{ stamped_by_this_build('customer_links.load_date') }}

    ),

    touched_orders as (

        select
            fact.order_id,
            {{ vault_hash_key(['fact.order_id']) }} as order_hash_key
        from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        union
        select
            order_hubs.order_id,
            order_hubs.order_hash_key
        from {{ ref('hub_order') }} as order_hubs
        inner join vault_touched_orders
            on order_hubs.order_hash_key = vault_touched_orders.order_hash_key

    ),

    touched_order_keys as (

        select distinct touched_orders.order_hash_key from touched_orders

    ),

    touched_order_links as (

        select
            customer_links.order_hash_key,
            customer_links.customer_hash_key
        from {{ ref('lnk_order_customer') }} as customer_links
        where customer_links.order_hash_key in (select touched_order_keys.order_hash_key from touched_order_keys)

    ),

    touched_order_customers as (

        -- a full join, which PostgreSQL can only hash or merge: it expects both sets tiny and would nest loops
        select
            coalesce(touched_order_keys.order_hash_key, touched_order_links.order_hash_key) as order_hash_key,
            touched_order_links.customer_hash_key
        from touched_order_keys
        full outer join touched_order_links
            on touched_order_keys.order_hash_key = touched_order_links.order_hash_key

    ),
{% endif %}

order_versions as (

    {{ vault_current_rows(ref('sat_order'), 'order_hash_key', lookup=narrowed) }}

),

customer_versions as (

    {{ vault_current_rows(ref('sat_customer'), 'customer_hash_key', lookup=narrowed) }}

),

line_versions as (

    {{ vault_current_rows(ref('sat_order_item'), 'order_item_hash_key', lookup=narrowed) }}

),

vault_lines as (

    select
        cast({{ dbt.date_trunc('month', 'order_versions.order_date') }} as date) as month_start_date,
        customer_versions.country_code as customer_country_code,
        {% if narrowed %}
            line_links.order_hash_key,
        {% endif %}
        line_versions.quantity,
        {{ line_net_amount(
            'line_versions.quantity', 'line_versions.unit_price', 'order_versions.tax_rate',
            'order_versions.prices_include_tax',
        ) }} as net_amount
    {% if narrowed %}
        from touched_order_customers as order_customers
        inner join line_versions
            on
                order_customers.order_hash_key = line_versions.order_hash_key
                and not line_versions.is_deleted
        inner join {{ ref('lnk_order_item') }} as line_links
            on line_versions.order_item_hash_key = line_links.order_item_hash_key
    {% else %}
        from {{ ref('lnk_order_item') }} as line_links
        inner join line_versions
            on
                line_links.order_item_hash_key = line_versions.order_item_hash_key
                and not line_versions.is_deleted
    {% endif %}
    inner join order_versions
        on line_links.order_hash_key = order_versions.order_hash_key
    {% if not narrowed %}
        left join {{ ref('lnk_order_customer') }} as order_customers
            on line_links.order_hash_key = order_customers.order_hash_key
    {% endif %}
    left join customer_versions
        on order_customers.customer_hash_key = customer_versions.customer_hash_key
    where order_versions.order_status != 'cancelled'

),

vault_groups as (

    select
        month_start_date,
        customer_country_code{{ per_order }},
        count(*) as line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_revenue
    from vault_lines
    group by month_start_date, customer_country_code{{ per_order }}

),

star_lines as (

    select
        dates.month_start_date,
        customers.country_code as customer_country_code,
        {% if narrowed %}
            {{ vault_hash_key(['fact.order_id']) }} as order_hash_key,
        {% endif %}
        fact.quantity,
        fact.net_amount
    from {{ ref('fct_order_items') }} as fact
    inner join {{ ref('dim_date') }} as dates
        on fact.order_date = dates.date_day
    inner join {{ ref('dim_customers') }} as customers
        on fact.customer_key = customers.customer_key
    where fact.is_revenue
    {% if narrowed %}
        and fact.order_id in (select touched_orders.order_id from touched_orders)
    {% endif %}

),

star_groups as (

    select
        month_start_date,
        customer_country_code{{ per_order }},
        count(*) as line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_revenue
    from star_lines
    group by month_start_date, customer_country_code{{ per_order }}

)

select
    coalesce(star_groups.month_start_date, vault_groups.month_start_date) as month_start_date,
    coalesce(star_groups.customer_country_code, vault_groups.customer_country_code) as customer_country_code,
    {% if narrowed %}
        coalesce(star_groups.order_hash_key, vault_groups.order_hash_key) as order_hash_key,
    {% endif %}
    star_groups.net_revenue as star_net_revenue,
    vault_groups.net_revenue as vault_net_revenue
from star_groups
full outer join vault_groups
    on
        star_groups.month_start_date = vault_groups.month_start_date
        {% if narrowed %}
            and star_groups.order_hash_key = vault_groups.order_hash_key
        {% endif %}
        and star_groups.customer_country_code is not distinct from vault_groups.customer_country_code
where
    star_groups.month_start_date is null
    or vault_groups.month_start_date is null
    or star_groups.line_count != vault_groups.line_count
    or star_groups.quantity != vault_groups.quantity
    or star_groups.net_revenue != vault_groups.net_revenue
