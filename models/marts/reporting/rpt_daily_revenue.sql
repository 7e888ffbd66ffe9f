{#
    Revenue by day, store and item category: the summary BI dashboards read every day.
    Counts revenue orders only (every status but cancelled), the contract's definition of revenue.
#}

with

order_items as (

    select * from {{ ref('int_order_items_priced') }}

),

items as (

    select * from {{ ref('int_items') }}

),

revenue_lines as (

    select
        order_items.order_date,
        order_items.store_id,
        {{ label_missing('items.category') }} as category,
        order_items.order_id,
        order_items.quantity,
        order_items.net_amount,
        order_items.tax_amount,
        order_items.gross_amount
    from order_items
    inner join items
        on order_items.sku = items.sku
    where order_items.is_revenue

),

final as (

    select
        {{ generate_surrogate_key(['order_date', 'store_id', 'category']) }} as daily_revenue_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,
        store_id,
        category,
        count(distinct order_id) as order_count,
        count(*) as order_line_count,
        cast(sum(quantity) as {{ dbt.type_bigint() }}) as quantity,
        sum(net_amount) as net_revenue,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_revenue,
        order_date
    from revenue_lines
    group by order_date, store_id, category

)

select * from final
