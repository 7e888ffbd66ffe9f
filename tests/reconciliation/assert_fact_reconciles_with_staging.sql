{# The staging side is found by its stamps: the views cannot be joined into by order_id without computing them whole. #}

-- depends_on: {{ ref('stg_orders_export__quarantined_submissions') }}
{%- set fact_orders_whose_winner_this_build_did_not_judge -%}
    select count(*) as order_count from (
        select fact.order_id from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        except
        select orders.order_id from {{ ref('stg_orders_export__orders') }} as orders
        where {{ stamped_by_this_build('orders.processed_at') }}
    ) as fact_only_orders
{%- endset %}
{%- set narrowed = reconciliation_is_narrowed(
    ref('fct_order_items'), whole_check_if=fact_orders_whose_winner_this_build_did_not_judge
) %}

with

{% if narrowed %}
    touched_orders as (

        select fact.order_id from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        union
        select orders.order_id from {{ ref('stg_orders_export__orders') }} as orders
        where {{ stamped_by_this_build('orders.processed_at') }}
        union
        select quarantined.order_id from {{ ref('stg_orders_export__quarantined_submissions') }} as quarantined
        where {{ stamped_by_this_build('quarantined.processed_at') }} and quarantined.order_id is not null

    ),
{% endif %}

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
    {% if narrowed %}
        where
            {{ stamped_by_this_build('order_items.processed_at') }}
            and {{ stamped_by_this_build('orders.processed_at') }}
    {% endif %}

),

staged_orders as (

    select
        order_id,
        count(*) as line_count,
        sum(
            {{ exact_divide(money_operand('gross_amount', 'amount'), '1 + ' ~ money_operand('tax_rate', 'rate')) }}
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
    {% if narrowed %}
        where order_id in (select touched_orders.order_id from touched_orders)
    {% endif %}
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

{% if not narrowed %}
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
{% endif %}

compared as (

    select * from per_order
    {% if not narrowed %}
        union all
        select * from overall
    {% endif %}

)

select * from compared
where
    staged_line_count is null
    or fact_line_count is null
    or staged_line_count != fact_line_count
    or abs(staged_net_amount - fact_net_amount) > 0.000001
    or abs(staged_gross_amount - fact_gross_amount) > 0.000001
    or abs(fact_gross_amount - fact_net_amount - fact_tax_amount) > 0.000001
