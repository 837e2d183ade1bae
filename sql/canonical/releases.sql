-- model: canonical.releases
-- key: release_id
-- kind: incremental by release_id = canonical.clusters.cluster_id
-- max_length: gtin 14
-- assert: not_null(title)
-- One row per release: a cluster of linked provider items (canonical.clusters), named
-- by its strongest identifier (`gtin:...`, else `mbid:...`, else `<provider>:<id>`).
-- Title and artist come from the most complete member (an editor-curated database's
-- first on a tie, then the most popular); the date, label, catalog number, genres and explicit flag
-- field by field, by canonical.fields' rules, each with the providers it came from
-- (`*_source`; every provider's value is in canonical.fields). Every provider's id is
-- kept, in the columns each provider's release items declare (`-- canonical:`), which
-- liner gathers into canonical.release_provider_columns.
with members as not materialized (
    -- Joined again by each reader: keeping the 1.9M wide rows of the million cost more
    -- (8.8 s against 8.1 to 8.4 s for the model).
    select c.cluster_id, i.*,
        (i.gtin is not null)::int + (i.release_date is not null)::int + (i.track_count is not null)::int
            + (i.artist is not null)::int as completeness
    from canonical.clusters c
    join intermediate.release_items i using (provider, item_id)
    where c.entity = 'release'
),
best as (
    select * from members
    qualify row_number() over (
        partition by cluster_id
        order by completeness desc, curated desc, popularity desc nulls last, provider, item_id
    ) = 1
),
per_cluster as (
    select
        cluster_id,
        min(gtin) as gtin,
        max(track_count) as track_count,
        count(distinct provider) as providers,
        count(*) as items
    from members
    group by cluster_id
),
fields as (
    -- The providers behind each field as a set of bits (provider_bit), named once per
    -- release: lists built and sorted per group cost a third more at a million.
    select
        canonical_id as cluster_id,
        min(value) filter (where field = 'release_date' and chosen) as release_date,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'release_date' and chosen))
            as release_date_source,
        min(value) filter (where field = 'label' and chosen) as label,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'label' and chosen)) as label_source,
        min(value) filter (where field = 'catalog_number' and chosen) as catalog_number,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'catalog_number' and chosen))
            as catalog_number_source,
        bool_or(value = 'true') filter (where field = 'explicit') as explicit,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'explicit' and chosen)) as explicit_source,
        provider_list(bit_or(provider_bit(provider)) filter (where field = 'genre')) as genres_source
    from canonical.fields
    where entity = 'release'
    group by all
),
genres as (
    -- Merged, case aside: the ones most providers give first.
    select cluster_id, string_agg(genre, ', ' order by providers desc, genre) as genres
    from (
        select canonical_id as cluster_id, lower(value) as genre, count(distinct provider) as providers
        from canonical.fields
        where entity = 'release' and field = 'genre'
        group by all
    )
    group by all
)
select
    p.cluster_id as release_id,
    b.title,
    b.artist,
    f.release_date,
    p.gtin,
    f.label,
    f.catalog_number,
    p.track_count,
    pc.* exclude (cluster_id),
    p.providers,
    p.items,
    -- Where the title and artist above were read: the provider, and its lake file.
    b.provider as source_provider,
    b.raw_file as source_file,
    f.release_date_source,
    f.label_source,
    f.catalog_number_source,
    g.genres,
    f.genres_source,
    f.explicit,
    f.explicit_source
from per_cluster p
join best b using (cluster_id)
left join fields f using (cluster_id)
left join genres g using (cluster_id)
left join canonical.release_provider_columns pc using (cluster_id)
