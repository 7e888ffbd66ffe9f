{#- Merge, never delete: the fact's foreign keys hold throughout every build. -#}
{{ config(
    materialized='incremental',
    unique_key='customer_key',
    incremental_strategy=target_incremental_strategy('merge'),
    on_schema_change='fail',
) }}

with

customers as (

    select * from {{ ref('int_customers') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

known_customers as (

    select
        {{ generate_surrogate_key(['customer_id']) }} as customer_key,
        customer_id,
        {{ pii_hash('email') }} as email_hash,
        city,
        postal_code,
        country_code,
        false as is_guest,
        {{ processed_at() }} as processed_at
    from customers

),

guest_member as (

    select
        {{ generate_surrogate_key(['null']) }} as customer_key,
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as email_hash,
        cast(null as {{ dbt.type_string() }}) as city,
        cast(null as {{ dbt.type_string() }}) as postal_code,
        cast(null as {{ dbt.type_string() }}) as country_code,
        true as is_guest,
        {{ processed_at() }} as processed_at

),

members as (

    select * from known_customers
    union all
    select * from guest_member

),

final as (

    {{ changed_members(
        'members', 'customer_key', ['customer_id', 'email_hash', 'city', 'postal_code', 'country_code', 'is_guest']
    ) }}

)

select * from final
