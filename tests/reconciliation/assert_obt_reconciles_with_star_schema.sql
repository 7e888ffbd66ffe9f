{%- set narrowed = reconciliation_is_narrowed(ref('fct_order_items')) %}
{%- set obt_stamps_rows = narrowed and model_documents_column('obt_orders', 'processed_at') %}

with

{% if narrowed %}
    touched_orders as (

        select fact.order_id from {{ ref('fct_order_items') }} as fact
        where {{ stamped_by_this_build('fact.processed_at') }}
        {% if obt_stamps_rows %}
            union
            select obt.order_id from {{ ref('obt_orders') }} as obt
            where {{ stamped_by_this_build('obt.processed_at') }}
        {% endif %}

    ),
{% endif %}

star_orders as (

    select
        fact.order_id,
        max(fact.customer_key) as customer_key,
        max(fact.store_key) as store_key,
        count(*) as line_count,
        sum(fact.quantity) as quantity,
        sum(fact.net_amount) as net_amount,
        sum(fact.tax_amount) as tax_amount,
        sum(fact.gross_amount) as gross_amount,
        min(items.sku) as min_sku,
        max(items.sku) as max_sku,
        count(distinct items.category) as category_count
    from {{ ref('fct_order_items') }} as fact
    inner join {{ ref('dim_items') }} as items
        on fact.item_key = items.item_key
    {% if narrowed %}
        where fact.order_id in (select touched_orders.order_id from touched_orders)
    {% endif %}
    group by fact.order_id

),

obt as (

    select * from {{ ref('obt_orders') }}
    {% if narrowed %}
        where order_id in (select touched_orders.order_id from touched_orders)
    {% endif %}

),

nested_lines as (

    select
        obt.order_id,
        cast({{ json_member_text('line.element', 'quantity') }} as integer) as quantity,
        cast({{ json_member_text('line.element', 'net_amount') }} as {{ exact_numeric_type() }}) as net_amount,
        cast({{ json_member_text('line.element', 'tax_amount') }} as {{ exact_numeric_type() }}) as tax_amount,
        cast({{ json_member_text('line.element', 'gross_amount') }} as {{ exact_numeric_type() }}) as gross_amount,
        {{ json_member_text('line.element', 'sku') }} as sku,
        {{ json_member_text('line.element', 'category') }} as category,
        cast({{ json_member_text('line.element', 'line_number') }} as integer) as line_number,
        line.position
    from obt
    {{ unnest_json_array('obt', 'order_lines', 'line') }}

),

nested_orders as (

    select
        order_id,
        count(*) as line_count,
        sum(quantity) as quantity,
        sum(net_amount) as net_amount,
        sum(tax_amount) as tax_amount,
        sum(gross_amount) as gross_amount,
        min(sku) as min_sku,
        max(sku) as max_sku,
        count(distinct category) as category_count,
        sum(case when line_number = position then 0 else 1 end) as misordered_lines
    from nested_lines
    group by order_id

),

obt_orders as (

    select
        obt.order_id,
        obt.customer_key,
        obt.store_key,
        obt.line_count,
        obt.quantity,
        obt.net_amount,
        obt.tax_amount,
        obt.gross_amount,
        nested.line_count as nested_line_count,
        nested.quantity as nested_quantity,
        nested.net_amount as nested_net_amount,
        nested.tax_amount as nested_tax_amount,
        nested.gross_amount as nested_gross_amount,
        nested.min_sku as nested_min_sku,
        nested.max_sku as nested_max_sku,
        nested.category_count as nested_category_count,
        nested.misordered_lines
    from obt
    left join nested_orders as nested
        on obt.order_id = nested.order_id

)

select
    coalesce(star_orders.order_id, obt_orders.order_id) as order_id,
    star_orders.net_amount as star_net_amount,
    obt_orders.net_amount as obt_net_amount,
    obt_orders.nested_net_amount as obt_nested_net_amount
from star_orders
full outer join obt_orders
    on star_orders.order_id = obt_orders.order_id
where
    star_orders.order_id is null
    or obt_orders.order_id is null
    or star_orders.customer_key is distinct from obt_orders.customer_key
    or star_orders.store_key is distinct from obt_orders.store_key
    or star_orders.line_count is distinct from obt_orders.line_count
    or star_orders.line_count is distinct from obt_orders.nested_line_count
    or star_orders.quantity is distinct from obt_orders.quantity
    or star_orders.quantity is distinct from obt_orders.nested_quantity
    or star_orders.net_amount is distinct from obt_orders.net_amount
    or star_orders.net_amount is distinct from obt_orders.nested_net_amount
    or star_orders.tax_amount is distinct from obt_orders.tax_amount
    or star_orders.tax_amount is distinct from obt_orders.nested_tax_amount
    or star_orders.gross_amount is distinct from obt_orders.gross_amount
    or star_orders.gross_amount is distinct from obt_orders.nested_gross_amount
    or star_orders.min_sku is distinct from obt_orders.nested_min_sku
    or star_orders.max_sku is distinct from obt_orders.nested_max_sku
    or star_orders.category_count is distinct from obt_orders.nested_category_count
    or coalesce(obt_orders.misordered_lines, 1) != 0
