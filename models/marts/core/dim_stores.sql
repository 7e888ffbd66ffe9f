{#- Merge, never delete: the fact's foreign keys hold throughout every build. -#}
{{ config(
    materialized='incremental',
    unique_key='store_key',
    incremental_strategy=target_incremental_strategy('merge'),
    on_schema_change='fail',
) }}

with

stores as (

    select * from {{ ref('int_stores') }}
    {% if is_incremental() %}
        where processed_at > {{ processed_at_watermark() }}
    {% endif %}

),

members as (

    select
        {{ generate_surrogate_key(['store_id']) }} as store_key,
        store_id,
        store_name,
        city,
        postal_code,
        country_code,
        timezone,
        {{ processed_at() }} as processed_at
    from stores

),

final as (

    {{ changed_members(
        'members', 'store_key', ['store_id', 'store_name', 'city', 'postal_code', 'country_code', 'timezone']
    ) }}

)

select * from final
