with

customer_versions as (

    select * from {{ ref('int_customer_versions') }}

),

known_versions as (

    select
        {{ generate_surrogate_key(['customer_id', 'version_start_submission_id']) }} as customer_version_key,
        {{ generate_surrogate_key(['customer_id']) }} as customer_key,
        customer_id,
        {{ pii_hash('email') }} as email_hash,
        city,
        postal_code,
        country_code,
        false as is_guest,
        valid_to is null as is_current,
        valid_from,
        valid_to
    from customer_versions

),

guest_member as (

    -- the key of a guest line's (NULL, NULL) version
    select
        {{ generate_surrogate_key(['null', 'null']) }} as customer_version_key,
        {{ generate_surrogate_key(['null']) }} as customer_key,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as email_hash,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as country_code,
        true as is_guest,
        true as is_current,
        {{ try_cast("'1900-01-01T00:00:00Z'", 'timestamptz') }} as valid_from,
        {{ try_cast('null', 'timestamptz') }} as valid_to

),

final as (

    select
        members.*,
        {{ processed_at() }} as processed_at
    from (
        select * from known_versions
        union all
        select * from guest_member
    ) as members

)

select * from final
