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
