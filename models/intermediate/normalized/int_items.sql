{#
    Third normal form: one row per item (sku) with its name, brand and category, in the latest state
    the order lines show (latest submitted_at, then order_id and line_number, win). Prices are not an
    item attribute: they belong to the order line (int_order_items). The state is computed once, in
    staging (stg_orders_export__items), for this model and the vault.
    Incremental: a run rewrites the items whose state staging recomputed since its last run.
#}

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
