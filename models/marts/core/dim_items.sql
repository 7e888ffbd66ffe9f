{# Item dimension: one row per sku, with its latest name, brand and category. #}

with

items as (

    select * from {{ ref('int_items') }}

),

final as (

    select
        {{ generate_surrogate_key(['sku']) }} as item_key,
        sku,
        item_name,
        brand,
        category
    from items

)

select * from final
