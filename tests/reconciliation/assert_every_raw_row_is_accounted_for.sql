{#
    Every raw export row ends up in exactly one place: the winning submission of its order (one per order in
    stg_orders_export__orders), a superseded duplicate, or quarantine. Returns a row for each count that does
    not reconcile; passes when there are none.
    It reads the base models, private to the staging group, so it belongs to that group.

    Unlike the other reconciliation tests it checks everything on every build, incremental ones included: its
    counts are of the whole raw table because what it guards against is a raw row that no build ever parsed,
    and such a row is not among the files loaded since the last build. The raw table numbers its rows when they
    are inserted and shows them when their load commits, and base_orders_export__submissions parses the rows
    numbered after the last one it has: a file whose load commits after a build parsed the rows of a file loaded
    beside it, numbered later, is skipped for good, and its rows were loaded (_loaded_at, export_files.loaded_at:
    the start of their transaction) before that build. Narrowed to the files loaded since the last build, or to
    the rows this build parsed, the test would pass over exactly those rows.
#}

{{ config(group='data_platform') }}

with

raw_rows as (

    select count(*) as row_count from {{ source('orders_export', 'orders_export') }}

),

triaged as (

    select
        count(*) as row_count,
        count(distinct raw_row_id) as distinct_row_count,
        sum(case when submission_outcome = 'winning' then 1 else 0 end) as winning_count,
        sum(case when submission_outcome = 'superseded' then 1 else 0 end) as superseded_count,
        sum(case when submission_outcome = 'quarantined' then 1 else 0 end) as quarantined_count
    from {{ ref('base_orders_export__submissions_triaged') }}

),

orders as (

    select count(*) as row_count from {{ ref('stg_orders_export__orders') }}

),

quarantined as (

    select count(*) as row_count from {{ ref('stg_orders_export__quarantined_submissions') }}

),

checks as (

    select
        'every raw row is triaged once' as check_name,
        raw_rows.row_count as expected,
        triaged.row_count as actual
    from raw_rows cross join triaged

    union all

    select
        'no raw row is triaged twice' as check_name,
        triaged.row_count as expected,
        triaged.distinct_row_count as actual
    from triaged

    union all

    select
        'winning + superseded + quarantined = raw rows' as check_name,
        raw_rows.row_count as expected,
        triaged.winning_count + triaged.superseded_count + triaged.quarantined_count as actual
    from raw_rows cross join triaged

    union all

    select
        'one order per winning submission' as check_name,
        triaged.winning_count as expected,
        orders.row_count as actual
    from triaged cross join orders

    union all

    select
        'quarantine model holds every quarantined row' as check_name,
        triaged.quarantined_count as expected,
        quarantined.row_count as actual
    from triaged cross join quarantined

)

select * from checks
where expected != actual
