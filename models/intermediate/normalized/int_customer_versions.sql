with

customer_submissions as (

    select * from {{ ref('stg_orders_export__order_submissions') }}
    where customer_id is not null

),

versions as (

    {{ attribute_version_ranges(
        'customer_submissions',
        'customer_id',
        ['customer_email', 'customer_city', 'customer_postal_code', 'customer_country_code'],
    ) }}

),

final as (

    select
        -- ids
        customer_id,
        version_start_submission_id,

        -- attributes
        customer_email as email,
        customer_city as city,
        customer_postal_code as postal_code,
        customer_country_code as country_code,

        -- validity and lineage
        valid_from,
        valid_to,
        {{ processed_at() }} as processed_at

    from versions

)

select * from final
