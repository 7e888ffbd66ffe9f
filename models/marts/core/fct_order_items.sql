{#
    The atomic-grain fact: one row per order line of every non-quarantined order (its winning
    submission). Cancelled orders stay, flagged by is_revenue = false. Amounts are exact numerics.
    Incremental: a run replaces every line of the orders a new export touched (delete by order_id, then
    insert, in one transaction), so a corrected order never leaves an orphaned or double-counted line.
    The foreign keys to the dimensions are added once the first build has filled the table (post-hooks).
#}

-- depends_on: {{ ref('dim_customers') }}
-- depends_on: {{ ref('dim_items') }}
-- depends_on: {{ ref('dim_stores') }}
-- depends_on: {{ ref('dim_date') }}
{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    on_schema_change='fail',
    post_hook=[
        "{{ ensure_foreign_key('customer_key', ref('dim_customers'), 'customer_key') }}",
        "{{ ensure_foreign_key('item_key', ref('dim_items'), 'item_key') }}",
        "{{ ensure_foreign_key('store_key', ref('dim_stores'), 'store_key') }}",
        "{{ ensure_foreign_key('order_date', ref('dim_date'), 'date_day') }}",
    ],
    indexes=[
        {'columns': ['order_id']},
        {'columns': ['order_date']},
        {'columns': ['customer_key']},
        {'columns': ['item_key']},
        {'columns': ['store_key']},
        {'columns': ['processed_at']},
    ],
) }}

with

order_items as (

    select * from {{ ref('int_order_items_priced') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

final as (

    select
        -- keys
        {{ generate_surrogate_key(['order_id', 'line_number']) }} as order_item_key,
        {{ generate_surrogate_key(['customer_id']) }} as customer_key,
        {{ generate_surrogate_key(['sku']) }} as item_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,

        -- degenerate dimensions
        order_id,
        line_number,
        order_status,

        -- measures
        quantity,
        net_unit_price,
        net_amount,
        tax_amount,
        gross_amount,
        tax_rate,
        fulfillment_seconds,

        -- flags
        is_revenue,

        -- dates and timestamps
        order_date,
        submitted_at,

        -- audit
        {{ processed_at() }} as processed_at

    from order_items

)

select * from final
