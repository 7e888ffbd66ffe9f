{{ config(
    materialized='incremental',
    unique_key='sku',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['sku'], 'unique': true},
    ],
) }}

with

items as (

    select * from {{ ref('stg_orders_export__items') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

final as (

    select
        -- ids
        sku,

        -- attributes
        item_name,
        item_brand as brand,
        item_category as category,

        -- lineage
        {{ processed_at() }} as processed_at

    from items

)

select * from final
