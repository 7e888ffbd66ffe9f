{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['order_id'], 'unique': true},
        {'columns': ['processed_at']},
    ],
) }}

with

{% if is_incremental() %}
    changed_orders as (

        -- one branch per reason, each through an index of the fact (an OR scans every line); a dimension's only
        -- when one of its members changed (counted at compile time), or PostgreSQL plans for a whole store
        select fact.order_id from {{ ref('fct_order_items') }} as fact
        where fact.processed_at > {{ processed_at_watermark() }}

        {%- for dimension, key in [
            ('dim_customers', 'customer_key'), ('dim_stores', 'store_key'), ('dim_items', 'item_key'),
        ] %}
            {%- set changed_members_query -%}
                select count(*) from {{ ref(dimension) }} where processed_at > {{ processed_at_watermark() }}
            {%- endset %}
            {%- if not execute or run_query(changed_members_query).columns[0].values()[0] > 0 %}

                union

                select fact.order_id from {{ ref('fct_order_items') }} as fact
                inner join {{ ref(dimension) }} as changed
                    on fact.{{ key }} = changed.{{ key }}
                where changed.processed_at > {{ processed_at_watermark() }}
            {%- endif %}
        {%- endfor %}

    ),
{% endif %}

order_items as (

    select * from {{ ref('fct_order_items') }}
    {% if is_incremental() %}
        where order_id in (select changed_orders.order_id from changed_orders)
    {% endif %}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

items as (

    select * from {{ ref('dim_items') }}

),

stores as (

    select * from {{ ref('dim_stores') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

orders as (

    select
        order_items.order_id,
        order_items.customer_key,
        order_items.store_key,
        order_items.order_status,
        order_items.tax_rate,
        order_items.fulfillment_seconds,
        order_items.is_revenue,
        order_items.order_date,
        order_items.submitted_at,
        cast(count(*) as bigint) as line_count,
        cast(sum(order_items.quantity) as bigint) as quantity,
        sum(order_items.net_amount) as net_amount,
        sum(order_items.tax_amount) as tax_amount,
        sum(order_items.gross_amount) as gross_amount,
        {{ json_array_agg(
            json_build_object([
                ('line_number', 'order_items.line_number'),
                ('sku', 'items.sku'),
                ('item_name', 'items.item_name'),
                ('brand', 'items.brand'),
                ('category', 'items.category'),
                ('quantity', 'order_items.quantity'),
                ('net_unit_price', 'order_items.net_unit_price'),
                ('net_amount', 'order_items.net_amount'),
                ('tax_amount', 'order_items.tax_amount'),
                ('gross_amount', 'order_items.gross_amount'),
            ]),
            'order_items.line_number',
        ) }} as order_lines
    from order_items
    inner join items
        on order_items.item_key = items.item_key
    -- every column but the line's own is the order's, repeated on each of its lines
    group by
        order_items.order_id,
        order_items.customer_key,
        order_items.store_key,
        order_items.order_status,
        order_items.tax_rate,
        order_items.fulfillment_seconds,
        order_items.is_revenue,
        order_items.order_date,
        order_items.submitted_at

),

final as (

    select
        -- ids and keys
        orders.order_id,
        orders.customer_key,
        customers.customer_id,
        orders.store_key,
        stores.store_id,
        dates.date_key as order_date_key,

        -- order
        orders.order_status,
        orders.tax_rate,
        orders.fulfillment_seconds,
        orders.line_count,
        orders.quantity,
        orders.net_amount,
        orders.tax_amount,
        orders.gross_amount,
        orders.is_revenue,
        orders.order_lines,

        -- customer (dim_customers)
        customers.email_hash as customer_email_hash,
        customers.city as customer_city,
        customers.postal_code as customer_postal_code,
        customers.country_code as customer_country_code,
        customers.is_guest as is_guest_order,

        -- store (dim_stores)
        stores.store_name,
        stores.city as store_city,
        stores.postal_code as store_postal_code,
        stores.country_code as store_country_code,
        stores.timezone as store_timezone,

        -- order date (dim_date)
        dates.day_of_week_name,
        dates.day_of_week_short_name,
        dates.month_name,
        dates.month_short_name,
        dates.year_quarter,
        dates.iso_day_of_week,
        dates.day_of_month,
        dates.day_of_year,
        dates.iso_week,
        dates.iso_year,
        dates.month_number,
        dates.quarter_number,
        dates.year_number,
        dates.fiscal_year,
        dates.fiscal_quarter,
        dates.is_weekday,
        dates.is_weekend,
        dates.is_last_day_of_month,
        orders.order_date,
        dates.week_start_date,
        dates.week_end_date,
        dates.month_start_date,
        dates.month_end_date,
        dates.prior_year_date_day,
        orders.submitted_at,

        -- lineage
        {{ processed_at() }} as processed_at

    from orders
    inner join customers
        on orders.customer_key = customers.customer_key
    inner join stores
        on orders.store_key = stores.store_key
    inner join dates
        on orders.order_date = dates.date_day

)

select * from final
