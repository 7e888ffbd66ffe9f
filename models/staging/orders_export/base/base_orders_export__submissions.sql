{#
    Every raw export row, typed and cleaned, one row per row loaded. Nothing is filtered here:
    rows that break the contract carry the reason in row_quarantine_reason, and the JSON order lines
    are parsed once, into order_items_json, for the line model to unnest.

    Incremental: a run parses only the raw rows loaded since the last run, plus the rows set aside for
    want of a store time zone (a later file may name the store's zone). The rules that look across rows
    (a submission id seen before; the store's time zone) read the rows already processed, so an
    incremental run and a full refresh give the same rows.
#}

{{ config(
    materialized='incremental',
    unique_key='raw_row_id',
    incremental_strategy=target_incremental_strategy('delete+insert'),
    indexes=[
        {'columns': ['raw_row_id'], 'unique': true},
        {'columns': ['order_id']},
        {'columns': ['submission_id']},
        {'columns': ['store_id', 'raw_row_id']},
        {'columns': ['row_quarantine_reason']},
        {'columns': ['processed_at']},
    ],
) }}

{#- A tax rate as a fraction: '7.25%' and '0.0725' are the same rate; empty means 0. #}
{%- set tax_rate_fraction -%}
case
            when tax_rate_text is null then 0
            when {{ dbt.right('tax_rate_text', 1) }} = '%'
                then {{ try_cast("trim(" ~ rtrim_characters('tax_rate_text', '%') ~ ")", 'numeric') }} * 0.01
            else {{ try_cast('tax_rate_text', 'numeric') }}
        end
{%- endset %}
{#- Fulfillment times are seconds before 2023-01-01 (store-local date), milliseconds from then on. #}
{%- set fulfillment_seconds -%}
case
            when order_date < cast('2023-01-01' as date) then fulfillment_time_value
            else fulfillment_time_value * 0.001
        end
{%- endset %}
{#-
    Both multiply rather than divide (a product of decimals is exact on every engine; DuckDB divides decimals in
    floating point) and go through as_exact_numeric, the portable exact type.
#}

with

source as (

    select * from {{ source('orders_export', 'orders_export') }}
    {% if is_incremental() %}
        -- two branches, not one OR: each finds its rows through the primary key instead of a scan of the table
        where _row_id > (select coalesce(max(processed.raw_row_id), 0) from {{ this }} as processed)
        union all
        select * from {{ source('orders_export', 'orders_export') }}
        where _row_id in (
            select processed.raw_row_id from {{ this }} as processed
            where processed.row_quarantine_reason = 'missing_store_timezone'
        )
    {% endif %}

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

parsed as (

    select
        *,

        {{ parse_json('order_items_text') }} as order_items_json,

        -- an ISO date, optionally with a time and an offset; anything else is unparseable
        {{ regexp_matches(
            'submitted_at_text',
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$'
        ) }} as is_submitted_at_local,
        {{ regexp_matches(
            'submitted_at_text',
            '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'
        ) }} as is_submitted_at_absolute,

        case
            when prices_include_tax_text is null then true
            when prices_include_tax_text in ('true', 'yes', '1') then true
            when prices_include_tax_text in ('false', 'no', '0') then false
        end as prices_include_tax,

        {{ as_exact_numeric(tax_rate_fraction) }} as tax_rate,

        {{ try_cast('fulfillment_time_text', 'numeric') }} as fulfillment_time_value,

        case
            when order_status_spelling in (
                {% for status in accepted_order_statuses() -%}
                    '{{ status }}'{% if not loop.last %}, {% endif %}
                {%- endfor %}
            ) then order_status_spelling
            else 'unknown'
        end as order_status,

        coalesce({{ is_known_timezone('store_timezone_as_exported') }}, false) as is_store_timezone_known

    from trimmed

),

first_submissions as (

    -- A submission id is the row loaded first with it; later rows with the same id are duplicates. Only the ids of
    -- this run's rows are looked up among the rows processed before (a row in both halves counts once in a min).
    select
        submission_id,
        min(raw_row_id) as first_raw_row_id
    from (
        select
            raw_row_id,
            submission_id
        from parsed
        {% if is_incremental() %}
            union all
            select
                previous.raw_row_id,
                previous.submission_id
            from {{ this }} as previous
            where previous.submission_id in (select parsed.submission_id from parsed)
        {% endif %}
    ) as submission_rows
    group by submission_id

),

first_known_timezone_rows as (

    -- The export leaves store_timezone empty on some rows: take it from the store's earliest loaded row that names
    -- a known zone. Among the rows processed before, that row is looked up per store of this run.
    select
        store_id,
        min(raw_row_id) as first_raw_row_id
    from (
        select
            store_id,
            raw_row_id
        from parsed
        where is_store_timezone_known
        {% if is_incremental() %}
            union all
            select
                run_stores.store_id,
                (
                    select min(previous.raw_row_id) from {{ this }} as previous
                    where previous.store_id = run_stores.store_id and previous.is_store_timezone_known
                ) as raw_row_id
            from (select distinct parsed.store_id from parsed) as run_stores
        {% endif %}
    ) as known_timezone_rows
    group by store_id

),

store_timezones as (

    select
        first_known_timezone_rows.store_id,
        {% if is_incremental() -%}
            coalesce(run_row.store_timezone_as_exported, previous_row.store_timezone_as_exported)
        {%- else -%}
            run_row.store_timezone_as_exported
        {%- endif %} as store_timezone
    from first_known_timezone_rows
    left join parsed as run_row
        on first_known_timezone_rows.first_raw_row_id = run_row.raw_row_id
    {% if is_incremental() %}
        left join {{ this }} as previous_row
            on first_known_timezone_rows.first_raw_row_id = previous_row.raw_row_id
    {% endif %}

),

with_timezone as (

    select
        parsed.*,
        case
            when parsed.is_store_timezone_known then parsed.store_timezone_as_exported
            else store_timezones.store_timezone
        end as store_timezone,
        parsed.raw_row_id > first_submissions.first_raw_row_id as is_duplicate_submission_id
    from parsed
    left join store_timezones
        on parsed.store_id = store_timezones.store_id
    left join first_submissions
        on parsed.submission_id = first_submissions.submission_id

),

timestamped as (

    -- With an offset the text is absolute; without one it is wall-clock time in the store's zone.
    select
        *,
        case
            when is_submitted_at_absolute
                then {{ try_cast('submitted_at_text', 'timestamptz') }}
            when is_submitted_at_local
                then {{ local_to_utc(try_cast('submitted_at_text', 'timestamp'), 'store_timezone') }}
        end as submitted_at,
        case
            when is_submitted_at_absolute
                then {{ try_cast('submitted_at_text', 'timestamptz') }} is not null
            when is_submitted_at_local
                then {{ try_cast('submitted_at_text', 'timestamp') }} is not null
            else false
        end as is_submitted_at_parseable
    from with_timezone

),

localized as (

    select
        *,
        cast({{ utc_to_local('submitted_at', 'store_timezone') }} as date) as order_date
    from timestamped

),

final as (

    select
        -- ids
        raw_row_id,
        submission_id,
        order_id,
        customer_id,
        store_id,

        -- customer
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
        store_timezone,
        store_timezone_as_exported,
        is_store_timezone_known,

        -- order
        order_status,
        order_status_spelling,
        currency_code,
        submitted_at_text,
        case when order_items_json is null then order_items_text end as unparsed_order_items,
        order_items_json,
        tax_rate,
        {{ as_exact_numeric(fulfillment_seconds) }} as fulfillment_seconds,
        prices_include_tax,
        order_date,
        submitted_at,

        -- the first contract violation of the row itself (line problems are judged per line)
        case
            when has_oversized_id then 'oversized_value'
            when submission_id is null then 'missing_submission_id'
            when is_duplicate_submission_id then 'duplicate_submission_id'
            when order_id is null then 'missing_order_id'
            when store_id is null then 'missing_store_id'
            when coalesce(currency_code, '') != 'USD' then 'unsupported_currency'
            when not is_submitted_at_parseable then 'unparseable_submitted_at'
            when store_timezone_as_exported is not null and not is_store_timezone_known
                then 'unknown_store_timezone'
            when store_timezone is null then 'missing_store_timezone'
            when prices_include_tax is null then 'invalid_prices_include_tax'
            when tax_rate is null or tax_rate < 0 or tax_rate >= 1 then 'invalid_tax_rate'
            when fulfillment_time_text is not null and coalesce(fulfillment_time_value, -1) < 0
                then 'invalid_fulfillment_time'
            when order_items_json is null or {{ json_type('order_items_json') }} != 'array'
                then 'malformed_order_items_json'
            when {{ json_array_length('order_items_json') }} = 0 then 'empty_order_items'
        end as row_quarantine_reason,

        -- lineage
        source_file_name,
        loaded_at,
        {{ processed_at() }} as processed_at

    from localized

)

select * from final
