{#
    Every version of every store (SCD type 2 in 3NF): a run of consecutive submission times, winning and superseded,
    showing the same name, address, country and time zone, valid from its first submission's time to the next
    version's (attribute_version_ranges). A late file may re-cut a store's history anywhere, so the table is
    rebuilt whole on every run: a few thousand submissions per store are one sort (see the model's YAML).
#}

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
