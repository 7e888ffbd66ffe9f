{#
    Every raw export row parsed on its own: trimmed, typed and cleaned, one row per row loaded, nothing filtered.
    base_orders_export__submissions reads the rows of its run through this view and applies the rules across rows.
    One select, no WITH clause: PostgreSQL merges such a view into the query reading it, so that query's filter on
    raw_row_id reaches the raw table's primary key.
#}

{{ config(materialized='view') }}

{%- set full_name = squish_text('customer_name') -%}
{%- set timezone_text = clean_text('store_timezone') -%}
{%- set status_spelling = regexp_replace("lower(" ~ clean_text('order_status') ~ ")", '[\\s_-]+', '_') -%}
{%- set prices_include_tax_text = "lower(" ~ clean_text('prices_include_tax') ~ ")" -%}
{%- set tax_rate_text = clean_text('tax_rate') -%}
{%- set submitted_at_text = clean_text('submitted_at') -%}
{%- set comma = dbt.position("','", full_name) -%}
{%- set space = dbt.position("' '", full_name) %}

select
    -- ids
    _row_id as raw_row_id,
    {{ clean_id('submission_id') }} as submission_id,
    {{ clean_id('order_id') }} as order_id,
    {{ clean_id('customer_id') }} as customer_id,
    {{ clean_id('store_id') }} as store_id,
    {{ has_oversized_id(['submission_id', 'order_id', 'customer_id', 'store_id']) }} as has_oversized_id,

    -- customer: `First Last` or `Last, First`
    case
        when {{ comma }} > 0
            then {{ title_case(squish_text("substring(" ~ full_name ~ " from " ~ comma ~ " + 1)")) }}
        when {{ space }} > 0 then {{ title_case(regexp_replace(full_name, ' [^ ]*$', '')) }}
        else {{ title_case(full_name) }}
    end as customer_first_name,
    case
        when {{ comma }} > 0 then {{ title_case(squish_text(dbt.split_part(full_name, "','", 1))) }}
        when {{ space }} > 0 then {{ title_case(regexp_replace(full_name, '^.* ', '')) }}
    end as customer_last_name,
    lower({{ clean_text('customer_email') }}) as customer_email,
    {{ squish_text('customer_city') }} as customer_city,
    {{ clean_text('customer_postal_code') }} as customer_postal_code,
    upper({{ squish_text('customer_country') }}) as customer_country_spelling,

    -- store
    {{ squish_text('store_name') }} as store_name,
    {{ squish_text('store_city') }} as store_city,
    {{ clean_text('store_postal_code') }} as store_postal_code,
    upper({{ squish_text('store_country') }}) as store_country_spelling,
    {{ timezone_text }} as store_timezone_as_exported,
    coalesce({{ is_known_timezone(timezone_text) }}, false) as is_store_timezone_known,

    -- order
    case
        when {{ status_spelling }} in (
            {% for status in accepted_order_statuses() -%}
                '{{ status }}'{% if not loop.last %}, {% endif %}
            {%- endfor %}
        ) then {{ status_spelling }}
        else 'unknown'
    end as order_status,
    {{ status_spelling }} as order_status_spelling,
    upper({{ clean_text('currency') }}) as currency_code,
    {{ submitted_at_text }} as submitted_at_text,
    {{ clean_text('order_items') }} as order_items_text,
    {{ parse_json(clean_text('order_items')) }} as order_items_json,
    -- a percentage or a fraction; empty means 0 (multiplied, not divided: a product of decimals is exact everywhere)
    {{ as_exact_numeric(
        "case when " ~ tax_rate_text ~ " is null then 0"
        ~ " when " ~ dbt.right(tax_rate_text, 1) ~ " = '%' then "
        ~ try_cast("trim(" ~ rtrim_characters(tax_rate_text, '%') ~ ")", 'numeric') ~ " * 0.01"
        ~ " else " ~ try_cast(tax_rate_text, 'numeric') ~ " end"
    ) }} as tax_rate,
    {{ clean_text('fulfillment_time') }} as fulfillment_time_text,
    {{ try_cast(clean_text('fulfillment_time'), 'numeric') }} as fulfillment_time_value,
    case
        when {{ prices_include_tax_text }} is null then true
        when {{ prices_include_tax_text }} in ('true', 'yes', '1') then true
        when {{ prices_include_tax_text }} in ('false', 'no', '0') then false
    end as prices_include_tax,

    -- an ISO date, optionally with a time: with an offset it is absolute, without one the store's wall clock
    case
        when {{ regexp_matches(
            submitted_at_text,
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'
        ) }} then {{ try_cast(submitted_at_text, 'timestamptz') }}
    end as submitted_at_absolute,
    case
        when {{ regexp_matches(
            submitted_at_text,
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$'
        ) }} then {{ try_cast(submitted_at_text, 'timestamp') }}
    end as submitted_at_local,

    -- lineage
    _file_name as source_file_name,
    _loaded_at as loaded_at

from {{ source('orders_export', 'orders_export') }}
