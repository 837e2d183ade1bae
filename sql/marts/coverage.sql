-- model: marts.coverage
-- key: run_id, entity, measure
-- assert: not_null(share)
-- How complete the catalog is, run after run: for releases and tracks, the share that
-- carry a GTIN or ISRC, a MusicBrainz id, each provider's listing, (releases) a label
-- and genres, (tracks) a tempo and a key from any provider; and the share whose
-- providers disagree on a field (`conflict_<field>`, from canonical.fields). This build's rows, and every earlier build's from the run history.
with conflicts as (
    select distinct entity, canonical_id, field from canonical.fields where conflict
),
releases as (
    select
        count(*) as items,
        avg((gtin is not null)::int) as gtin,
        avg((musicbrainz_release_id is not null)::int) as mbid,
        avg((deezer_album_id is not null)::int) as deezer,
        avg((spotify_album_id is not null)::int) as spotify,
        avg((apple_music_album_id is not null)::int) as apple_music,
        avg((itunes_collection_id is not null)::int) as itunes,
        avg((discogs_release_id is not null)::int) as discogs,
        avg((beatport_release_id is not null)::int) as beatport,
        avg((lastfm_url is not null)::int) as lastfm,
        avg((label is not null)::int) as label,
        avg((genres is not null)::int) as genres,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'release_date'))::int)
            as conflict_release_date,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'label'))::int)
            as conflict_label,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'catalog_number'))::int)
            as conflict_catalog_number,
        avg((release_id in (select canonical_id from conflicts where entity = 'release' and field = 'explicit'))::int)
            as conflict_explicit
    from canonical.releases
),
tracks as (
    select
        count(*) as items,
        avg((isrc is not null)::int) as isrc,
        avg((musicbrainz_recording_id is not null)::int) as mbid,
        avg((deezer_track_id is not null)::int) as deezer,
        avg((spotify_track_id is not null)::int) as spotify,
        avg((apple_music_song_id is not null)::int) as apple_music,
        avg((beatport_track_id is not null)::int) as beatport,
        avg((genius_song_id is not null)::int) as genius,
        avg((lastfm_url is not null)::int) as lastfm,
        avg((track_id in (select track_id from marts.track_features where bpm is not null))::int) as tempo,
        avg((track_id in (select track_id from marts.track_features where camelot is not null))::int) as musical_key,
        avg((track_id in (select canonical_id from conflicts where entity = 'track' and field = 'explicit'))::int)
            as conflict_explicit
    from canonical.tracks
),
now as (
    select 'release' as entity, items, measure, share
    from (unpivot releases on columns(* exclude (items)) into name measure value share)
    union all
    select 'track', items, measure, share
    from (unpivot tracks on columns(* exclude (items)) into name measure value share)
)
select b.run_id, b.today as built_on, n.entity, n.measure, n.items, coalesce(n.share, 0) as share
from now n, raw.build b
union all
select run_id, built_on, entity, measure, items, share
from raw.coverage_history
where run_id <> (select run_id from raw.build)
