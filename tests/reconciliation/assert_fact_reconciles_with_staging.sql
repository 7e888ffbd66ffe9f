{#
    The fact's line count and its total net, tax and gross amounts, overall and per order, equal those
    computed directly from the staging layer with an independent formulation of the contract's rule
    (gross first, net = gross / (1 + tax_rate)). Returns each order whose totals differ (the overall
    line counts are compared too, as a pseudo-order '*all*'). The operands go through money_operand, as in
    the money rules: on Spark they keep the decimals that a division needs; elsewhere they are unchanged.
#}

with

staged_lines as (

    select
        order_items.order_id,
        {{ money_operand('order_items.quantity', 'quantity') }} * {{ money_operand('order_items.unit_price', 'price') }}
        * (case when orders.prices_include_tax then 1 else 1 + {{ money_operand('orders.tax_rate', 'rate') }} end)
            as gross_amount,
        orders.tax_rate
    from {{ ref('stg_orders_export__order_items') }} as order_items
    inner join {{ ref('stg_orders_export__orders') }} as orders
        on order_items.order_id = orders.order_id

),

staged_orders as (

    select
        order_id,
        count(*) as line_count,
        sum(
            {{ money_operand('gross_amount', 'amount') }} / (1 + {{ money_operand('tax_rate', 'rate') }})
        ) as net_amount,
        sum(gross_amount) as gross_amount
    from staged_lines
    group by order_id

),

fact_orders as (

    select
        order_id,
        count(*) as line_count,
        sum(net_amount) as net_amount,
        sum(gross_amount) as gross_amount,
        sum(tax_amount) as tax_amount
    from {{ ref('fct_order_items') }}
    group by order_id

),

per_order as (

    select
        coalesce(staged_orders.order_id, fact_orders.order_id) as order_id,
        staged_orders.line_count as staged_line_count,
        fact_orders.line_count as fact_line_count,
        staged_orders.net_amount as staged_net_amount,
        fact_orders.net_amount as fact_net_amount,
        staged_orders.gross_amount as staged_gross_amount,
        fact_orders.gross_amount as fact_gross_amount,
        fact_orders.tax_amount as fact_tax_amount
    from staged_orders
    full outer join fact_orders
        on staged_orders.order_id = fact_orders.order_id

),

overall as (

    select
        '*all*' as order_id,
        sum(staged_line_count) as staged_line_count,
        sum(fact_line_count) as fact_line_count,
        sum(staged_net_amount) as staged_net_amount,
        sum(fact_net_amount) as fact_net_amount,
        sum(staged_gross_amount) as staged_gross_amount,
        sum(fact_gross_amount) as fact_gross_amount,
        sum(fact_tax_amount) as fact_tax_amount
    from per_order

),

compared as (

    select * from per_order
    union all
    select * from overall

)

select * from compared
where
    staged_line_count is null
    or fact_line_count is null
    or staged_line_count != fact_line_count
    or abs(staged_net_amount - fact_net_amount) > 0.000001
    or abs(staged_gross_amount - fact_gross_amount) > 0.000001
    or abs(fact_gross_amount - fact_net_amount - fact_tax_amount) > 0.000001
