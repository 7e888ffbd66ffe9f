{#
    Every raw export row, parsed (base_orders_export__submissions_parsed), with the rules that look across rows:
    a submission id seen before, the store's time zone when the row has none (hence submitted_at, the local order
    date and the fulfillment unit), and the row's first contract violation.

    Incremental: a run reads only the raw rows loaded since the last run, plus the rows set aside for want of a store
    time zone (a later file may name the store's zone). The rules across rows read the rows already processed, so an
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

with

parsed as (

    select * from {{ ref('base_orders_export__submissions_parsed') }}
    {% if is_incremental() %}
        -- two branches, not one OR: each finds its rows through the primary key instead of a scan of the table
        where raw_row_id > (select coalesce(max(processed.raw_row_id), 0) from {{ this }} as processed)
        union all
        select * from {{ ref('base_orders_export__submissions_parsed') }}
        where raw_row_id in (
            select processed.raw_row_id from {{ this }} as processed
            where processed.row_quarantine_reason = 'missing_store_timezone'
        )
    {% endif %}

),

first_submissions as (

    -- A submission id is the row loaded first with it; later rows with the same id are duplicates.
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

{% if is_incremental() %}
    previous_first_known_timezone_rows as (

        -- per store of this run, its earliest processed row naming a known zone (the store_id, raw_row_id index)
        select (
            select min(earlier.raw_row_id) from {{ this }} as earlier
            where earlier.store_id = run_stores.store_id and earlier.is_store_timezone_known
        ) as raw_row_id
        from (select distinct parsed.store_id from parsed) as run_stores

    ),
{% endif %}

known_timezone_rows as (

    -- Rows without a zone take the zone of the store's earliest loaded row that names a known one.
    select
        store_id,
        raw_row_id,
        store_timezone_as_exported as store_timezone
    from parsed
    where is_store_timezone_known
    {% if is_incremental() %}
        union all
        select
            previous.store_id,
            previous.raw_row_id,
            previous.store_timezone_as_exported
        from {{ this }} as previous
        inner join previous_first_known_timezone_rows
            on previous.raw_row_id = previous_first_known_timezone_rows.raw_row_id
    {% endif %}

),

ranked_timezones as (

    select
        store_id,
        store_timezone,
        row_number() over (partition by store_id order by raw_row_id) as timezone_rank
    from known_timezone_rows

),

store_timezones as (

    select
        store_id,
        store_timezone
    from ranked_timezones
    where timezone_rank = 1

),

with_store_rules as (

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

    select
        *,
        coalesce(
            submitted_at_absolute, {{ local_to_utc('submitted_at_local', 'store_timezone') }}
        ) as submitted_at
    from with_store_rules

),

localized as (

    select
        *,
        cast({{ utc_to_local('submitted_at', 'store_timezone') }} as date) as order_date
    from timestamped

),

final as (

    select
        raw_row_id,
        submission_id,
        order_id,
        customer_id,
        store_id,
        customer_first_name,
        customer_last_name,
        customer_email,
        customer_city,
        customer_postal_code,
        customer_country_spelling,
        store_name,
        store_city,
        store_postal_code,
        store_country_spelling,
        store_timezone,
        store_timezone_as_exported,
        is_store_timezone_known,
        order_status,
        order_status_spelling,
        currency_code,
        submitted_at_text,
        case when order_items_json is null then order_items_text end as unparsed_order_items,
        order_items_json,
        tax_rate,
        -- seconds before 2023-01-01 (store-local date), milliseconds from then on
        {{ as_exact_numeric(
            "case when order_date < cast('2023-01-01' as date) then fulfillment_time_value"
            ~ " else fulfillment_time_value * 0.001 end"
        ) }} as fulfillment_seconds,
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
            when submitted_at_absolute is null and submitted_at_local is null then 'unparseable_submitted_at'
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
        source_file_name,
        loaded_at,
        {{ processed_at() }} as processed_at
    from localized

)

select * from final
