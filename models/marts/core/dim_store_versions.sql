with

store_versions as (

    select * from {{ ref('int_store_versions') }}

),

final as (

    select
        -- keys
        {{ generate_surrogate_key(['store_id', 'version_start_submission_id']) }} as store_version_key,
        {{ generate_surrogate_key(['store_id']) }} as store_key,

        -- attributes
        store_id,
        store_name,
        city,
        postal_code,
        country_code,
        timezone,

        -- validity
        valid_to is null as is_current,
        valid_from,
        valid_to,

        -- audit
        {{ processed_at() }} as processed_at

    from store_versions

)

select * from final
