{#
    Store version dimension (SCD type 2): one row per version of a store, valid from valid_from (inclusive) to
    valid_to (exclusive; NULL for the current version). A fact line's store_version_key is the version valid at
    its submitted_at: what the store was called, and where it was, when the order was placed.
    A table rebuilt whole on every run, as int_store_versions: a re-cut history changes keys, which the fact's
    incremental run then rewrites (its foreign key is added again after the rebuild).
#}

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
