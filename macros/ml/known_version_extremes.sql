{#
    The rows of `sums` (running_sums_at: one per customer and as-of date, with the running extremes of the
    current versions) with a known order, and the extremes of every version known on the as-of date:
    last_order_date, first_order_date and the country_code of the latest submission. A superseded version goes
    out of the known versions, which a running max cannot take back, so the superseded versions of `versions`
    still known on each as-of date (few, known for a few days each) are met here and compared.
#}
{%- macro known_version_extremes(sums, versions) -%}
    with superseded_known_versions as (
        select
            known_sums.customer_id,
            known_sums.as_of_date,
            superseded.order_date,
            superseded.customer_version_rank,
            superseded.customer_country_code
        from {{ versions }} as superseded
        inner join {{ sums }} as known_sums
            on
                superseded.customer_id = known_sums.customer_id
                and superseded.known_from_date <= known_sums.as_of_date
                and superseded.superseded_from_date > known_sums.as_of_date
        where superseded.superseded_from_date is not null
    ),

    superseded_extremes as (
        select
            customer_id,
            as_of_date,
            max(order_date) as last_order_date,
            min(order_date) as first_order_date,
            max(customer_version_rank) as latest_rank
        from superseded_known_versions
        group by customer_id, as_of_date
    )

    select
        known_sums.*,
        {{ later_of('known_sums.current_last_order_date', 'superseded_extremes.last_order_date') }}
            as last_order_date,
        {{ earlier_of('known_sums.current_first_order_date', 'superseded_extremes.first_order_date') }}
            as first_order_date,
        case
            when
                superseded_extremes.latest_rank > known_sums.current_latest_rank
                or known_sums.current_latest_rank is null
                then superseded_latest.customer_country_code
            else current_latest.customer_country_code
        end as country_code
    from {{ sums }} as known_sums
    left join {{ versions }} as current_latest
        on
            known_sums.customer_id = current_latest.customer_id
            and known_sums.current_latest_rank = current_latest.customer_version_rank
    left join superseded_extremes
        on
            known_sums.customer_id = superseded_extremes.customer_id
            and known_sums.as_of_date = superseded_extremes.as_of_date
    left join superseded_known_versions as superseded_latest
        on
            superseded_extremes.customer_id = superseded_latest.customer_id
            and superseded_extremes.as_of_date = superseded_latest.as_of_date
            and superseded_extremes.latest_rank = superseded_latest.customer_version_rank
    where known_sums.order_count_lifetime > 0
{%- endmacro -%}
