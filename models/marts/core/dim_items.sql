{#- Merge, never delete: the fact's foreign keys hold throughout every build. -#}
{{ config(
    materialized='incremental',
    unique_key='item_key',
    incremental_strategy=target_incremental_strategy('merge'),
    on_schema_change='fail',
) }}

with

items as (

    select * from {{ ref('int_items') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

members as (

    select
        {{ generate_surrogate_key(['sku']) }} as item_key,
        sku,
        item_name,
        brand,
        {{ label_missing('category') }} as category,
        {{ processed_at() }} as processed_at
    from items

),

final as (

    {{ changed_members('members', 'item_key', ['sku', 'item_name', 'brand', 'category']) }}

)

select * from final
