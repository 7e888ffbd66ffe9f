{# Store dimension: one row per store, in its latest state. #}

with

stores as (

    select * from {{ ref('int_stores') }}

),

final as (

    select
        {{ generate_surrogate_key(['store_id']) }} as store_key,
        store_id,
        store_name,
        city,
        postal_code,
        country_code,
        timezone
    from stores

)

select * from final
