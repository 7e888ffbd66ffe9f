{#
    Every raw export row parsed on its own: trimmed, typed and cleaned, one row per row loaded, nothing filtered.
    A view: base_orders_export__submissions reads the rows of its run through it (PostgreSQL inlines the view, so
    the filter on raw_row_id reaches the raw table's primary key) and applies the rules that look across rows.
#}

{{ config(materialized='view') }}

{#- A tax rate as a fraction: '7.25%' and '0.0725' are the same rate; empty means 0. Multiplied, not divided:
    a product of decimals is exact on every engine. #}
{%- set tax_rate_fraction -%}
case
            when tax_rate_text is null then 0
            when {{ dbt.right('tax_rate_text', 1) }} = '%'
                then {{ try_cast("trim(" ~ rtrim_characters('tax_rate_text', '%') ~ ")", 'numeric') }} * 0.01
            else {{ try_cast('tax_rate_text', 'numeric') }}
        end
{%- endset %}

with

source as (

    select * from {{ source('orders_export', 'orders_export') }}

),

trimmed as (

    select
        -- ids
        _row_id as raw_row_id,
        {{ clean_id('submission_id') }} as submission_id,
        {{ clean_id('order_id') }} as order_id,
        {{ clean_id('customer_id') }} as customer_id,
        {{ clean_id('store_id') }} as store_id,
        {{ has_oversized_id(['submission_id', 'order_id', 'customer_id', 'store_id']) }} as has_oversized_id,

        -- customer
        {{ squish_text('customer_name') }} as customer_full_name,
        lower({{ clean_text('customer_email') }}) as customer_email,
        {{ squish_text('customer_city') }} as customer_city,
        {{ clean_text('customer_postal_code') }} as customer_postal_code,
        upper({{ squish_text('customer_country') }}) as customer_country_spelling,

        -- store
        {{ squish_text('store_name') }} as store_name,
        {{ squish_text('store_city') }} as store_city,
        {{ clean_text('store_postal_code') }} as store_postal_code,
        upper({{ squish_text('store_country') }}) as store_country_spelling,
        {{ clean_text('store_timezone') }} as store_timezone_as_exported,

        -- order
        {{ regexp_replace("lower(" ~ clean_text('order_status') ~ ")", '[\\s_-]+', '_') }} as order_status_spelling,
        upper({{ clean_text('currency') }}) as currency_code,
        lower({{ clean_text('prices_include_tax') }}) as prices_include_tax_text,
        {{ clean_text('tax_rate') }} as tax_rate_text,
        {{ clean_text('fulfillment_time') }} as fulfillment_time_text,
        {{ clean_text('submitted_at') }} as submitted_at_text,
        {{ clean_text('order_items') }} as order_items_text,

        -- lineage
        _file_name as source_file_name,
        _loaded_at as loaded_at

    from source

),

final as (

    select
        -- ids
        raw_row_id,
        submission_id,
        order_id,
        customer_id,
        store_id,
        has_oversized_id,

        -- customer: `First Last` or `Last, First`
        case
            when {{ dbt.position("','", 'customer_full_name') }} > 0
                then {{ title_case(squish_text(
                    "substring(customer_full_name from " ~ dbt.position("','", 'customer_full_name') ~ " + 1)"
                )) }}
            when {{ dbt.position("' '", 'customer_full_name') }} > 0
                then {{ title_case(regexp_replace('customer_full_name', ' [^ ]*$', '')) }}
            else {{ title_case('customer_full_name') }}
        end as customer_first_name,
        case
            when {{ dbt.position("','", 'customer_full_name') }} > 0
                then {{ title_case(squish_text(dbt.split_part('customer_full_name', "','", 1))) }}
            when {{ dbt.position("' '", 'customer_full_name') }} > 0
                then {{ title_case(regexp_replace('customer_full_name', '^.* ', '')) }}
        end as customer_last_name,
        customer_email,
        customer_city,
        customer_postal_code,
        customer_country_spelling,

        -- store
        store_name,
        store_city,
        store_postal_code,
        store_country_spelling,
        store_timezone_as_exported,
        coalesce({{ is_known_timezone('store_timezone_as_exported') }}, false) as is_store_timezone_known,

        -- order
        case
            when order_status_spelling in (
                {% for status in accepted_order_statuses() -%}
                    '{{ status }}'{% if not loop.last %}, {% endif %}
                {%- endfor %}
            ) then order_status_spelling
            else 'unknown'
        end as order_status,
        order_status_spelling,
        currency_code,
        submitted_at_text,
        order_items_text,
        {{ parse_json('order_items_text') }} as order_items_json,
        {{ as_exact_numeric(tax_rate_fraction) }} as tax_rate,
        fulfillment_time_text,
        {{ try_cast('fulfillment_time_text', 'numeric') }} as fulfillment_time_value,
        case
            when prices_include_tax_text is null then true
            when prices_include_tax_text in ('true', 'yes', '1') then true
            when prices_include_tax_text in ('false', 'no', '0') then false
        end as prices_include_tax,

        -- an ISO date, optionally with a time: with an offset it is absolute, without one the store's wall clock
        case
            when {{ regexp_matches(
                'submitted_at_text',
                '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'
            ) }} then {{ try_cast('submitted_at_text', 'timestamptz') }}
        end as submitted_at_absolute,
        case
            when {{ regexp_matches(
                'submitted_at_text',
                '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$'
            ) }} then {{ try_cast('submitted_at_text', 'timestamp') }}
        end as submitted_at_local,

        -- lineage
        source_file_name,
        loaded_at

    from trimmed

)

select * from final
