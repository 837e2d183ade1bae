-- model: marts.upcoming_releases
-- key: release_id, followed_artist
-- What the followed artists have coming: releases dated after today, or that a
-- provider lists as pre-releases, with the Listen link of every provider that has them
-- (a `<provider>_url` column for each provider that lists releases).
with followed as (
    select name, artist_key(name) as k from raw.follows
),
members as (
    select c.cluster_id, i.provider, i.url, i.release_date, i.artist, i.is_prerelease
    from intermediate.release_items i
    join canonical.clusters c on c.entity = 'release' and c.provider = i.provider and c.item_id = i.item_id
),
upcoming as (
    -- A release with any member dated after today or listed as a pre-release.
    select distinct cluster_id
    from members
    where is_prerelease or try_cast(release_date as date) > (select today from raw.build)
),
links as (
    -- A column per provider that lists releases (the type release_provider), in the
    -- registry's order.
    pivot (
        select m.cluster_id, m.provider::release_provider as provider, m.url
        from members m
        join upcoming u using (cluster_id)
    )
    on provider in release_provider
    using max(url) as url
    group by cluster_id
),
prereleases as (
    select m.cluster_id, bool_or(m.is_prerelease) as is_prerelease
    from members m
    join upcoming u using (cluster_id)
    group by m.cluster_id
),
credited as (
    -- The followed artist is the credit, or one of its artists.
    select distinct m.cluster_id, f.name as followed_artist
    from (
        -- Read only the upcoming releases' credits.
        select m.cluster_id, artist_key(m.artist) as k, string_split(artist_set(m.artist), '|') as ks
        from members m
        join upcoming u using (cluster_id)
    ) m
    join followed f on m.k = f.k or list_contains(m.ks, f.k)
)
select
    r.release_id,
    c.followed_artist,
    r.title,
    r.artist,
    r.release_date,
    p.is_prerelease,
    l.* exclude (cluster_id)
from credited c
join prereleases p using (cluster_id)
join links l using (cluster_id)
join canonical.releases r on r.release_id = c.cluster_id
