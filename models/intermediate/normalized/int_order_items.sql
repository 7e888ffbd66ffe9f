{#
    Third normal form: one row per order line (order_id, line_number). The item's descriptive attributes
    depend on the sku alone and live in int_items; the price belongs to the line.
    Incremental: a run replaces every line of the orders judged again since its last run (delete by
    order_id, then insert), so a correction with fewer lines leaves no orphaned line behind.
#}

{{ config(
    materialized='incremental',
    unique_key='order_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['order_id', 'line_number'], 'unique': true},
        {'columns': ['sku']},
        {'columns': ['processed_at']},
    ],
) }}

with

order_items as (

    select * from {{ ref('stg_orders_export__order_items') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

final as (

    select
        -- ids
        order_id,
        line_number,
        sku,

        -- numbers
        quantity,
        unit_price,

        -- lineage
        {{ processed_at() }} as processed_at

    from order_items

)

select * from final
