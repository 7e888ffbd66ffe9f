with

order_submissions as (

    select * from {{ ref('stg_orders_export__order_submissions') }}

),

versions as (

    {{ attribute_version_ranges(
        'order_submissions',
        'store_id',
        ['store_name', 'store_city', 'store_postal_code', 'store_country_code', 'store_timezone'],
    ) }}

),

final as (

    select
        -- ids
        store_id,
        version_start_submission_id,

        -- attributes
        store_name,
        store_city as city,
        store_postal_code as postal_code,
        store_country_code as country_code,
        store_timezone as timezone,

        -- validity and lineage
        valid_from,
        valid_to,
        {{ processed_at() }} as processed_at

    from versions

)

select * from final
